package dev.flinkreranker.sql;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * Runs SQL statements one after another the way the SQL client would: DDL is applied, a query's
 * rows are printed as a table, an {@code INSERT} runs to its end (bounded sources) before the next
 * statement.
 */
public final class SqlRunner {
  private SqlRunner() {}

  /** A statement that failed: its position (1-based) and text, and Flink's reasons. */
  public static final class StatementException extends Exception {
    public StatementException(int index, String statement, Throwable cause) {
      super("statement " + index + " failed:\n  " + statement.replace("\n", "\n  ") + "\n"
          + reasons(cause), cause);
    }
  }

  /**
   * Runs the statements on one embedded cluster (REST on 127.0.0.1, a free port) that lives for the
   * whole script: a local environment would start a cluster per query and stop it as the query
   * ends, before the printing client has fetched its last rows.
   */
  public static void runEmbedded(List<String> statements, int parallelism, PrintStream out)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, 0);
    // Job submission uploads through REST, which wants an absolute directory.
    conf.set(WebOptions.UPLOAD_DIR,
        Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().toString());
    MiniClusterConfiguration cluster = new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(parallelism)
        .build();
    try (MiniCluster miniCluster = new MiniCluster(cluster)) {
      miniCluster.start();
      URI rest = miniCluster.getRestAddress().get();
      // No jars to ship: the cluster runs in this JVM and loads the job's classes from it.
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createRemoteEnvironment(rest.getHost(), rest.getPort());
      env.setParallelism(parallelism);
      run(StreamTableEnvironment.create(env), statements, out);
    }
  }

  public static void run(TableEnvironment tEnv, List<String> statements, PrintStream out)
      throws StatementException {
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i);
      try {
        TableResult result = tEnv.executeSql(statement);
        boolean rows = result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT;
        if (result.getJobClient().isPresent() && !rows) {
          result.await(); // INSERT INTO: wait for the job before the next statement
        } else if (rows) {
          result.print();
        }
        out.flush();
      } catch (Exception e) {
        throw new StatementException(i + 1, statement, e);
      }
    }
  }

  /** The distinct messages of an error's causes, outermost first: what the user must fix. */
  static String reasons(Throwable error) {
    Set<String> messages = new LinkedHashSet<>();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        messages.add(t.getMessage().strip());
      }
    }
    return String.join("\n", messages);
  }
}
