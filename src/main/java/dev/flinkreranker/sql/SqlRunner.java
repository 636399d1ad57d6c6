package dev.flinkreranker.sql;

import java.io.PrintStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.table.api.ResultKind;
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

  public static void run(TableEnvironment tEnv, List<String> statements, PrintStream out)
      throws StatementException {
    for (int i = 0; i < statements.size(); i++) {
      String statement = statements.get(i);
      try {
        TableResult result = tEnv.executeSql(statement);
        if (result.getJobClient().isPresent() && result.getResultKind() != ResultKind.SUCCESS_WITH_CONTENT) {
          result.await(); // INSERT INTO: wait for the job before the next statement
        } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
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
