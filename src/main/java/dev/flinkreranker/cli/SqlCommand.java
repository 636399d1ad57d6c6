package dev.flinkreranker.cli;

import dev.flinkreranker.sql.SqlRunner;
import dev.flinkreranker.sql.SqlScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sql FILE}: run a SQL script (CREATE MODEL, ML_PREDICT, ...) on an embedded cluster. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = "Runs the Flink SQL statements of FILE on an embedded Flink cluster and prints"
        + " each query's rows, e.g. job/sql/rerank.sql (docs/sql.md).")
public final class SqlCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "SQL statements separated by ';'.")
  Path file;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "Value of a ${NAME} placeholder in FILE (repeatable).")
  Map<String, String> values = new LinkedHashMap<>();

  @Option(names = "--parallelism", defaultValue = "1",
      description = "Parallelism of the queries (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Override
  public Integer call() throws Exception {
    String script;
    try {
      script = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      System.err.println("sql: no such file: " + file);
      return 2;
    }
    List<String> statements;
    try {
      statements = SqlScript.split(SqlScript.substitute(script, values));
    } catch (IllegalArgumentException e) {
      System.err.println("sql: " + file + ": " + e.getMessage());
      return 2;
    }
    if (parallelism < 1) {
      System.err.println("sql: --parallelism must be at least 1, got " + parallelism);
      return 2;
    }
    try {
      SqlRunner.runEmbedded(statements, parallelism, System.out);
    } catch (SqlRunner.StatementException e) {
      System.err.println("sql: " + file + ": " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
