package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes in a {@code CREATE MODEL} fail when a query using the model is planned, before anything
 * runs or loads, with a message that names the option or column and says what is accepted.
 */
class ModelDeclarationTest {

  private static final String PAIR_IN = "query STRING, document STRING";
  private static final String LIST_IN = "query STRING, candidates ARRAY<STRING>";

  @TempDir Path tmp;

  @Test
  void wrongOutputTypeShowsTheAcceptedForms() {
    String message = failure(PAIR_IN, "score FLOAT", Map.of());
    assertContains(message, "pair scoring", "score DOUBLE", "got (score FLOAT)",
        ModelShape.ACCEPTED_FORMS);
  }

  @Test
  void wrongInputTypesAreNamed() {
    assertContains(failure("query STRING, document INT", "score DOUBLE", Map.of()),
        "INPUT column 2 must be STRING (a document) or an ARRAY (candidates), got INT");
    assertContains(failure("query INT, document STRING", "score DOUBLE", Map.of()),
        "INPUT column 1 must be STRING (the query), got INT");
    assertContains(failure("query STRING", "score DOUBLE", Map.of()),
        "INPUT has 1 columns (query STRING), expected 2");
    assertContains(failure("query STRING, candidates ARRAY<INT>", "top1_index INT, top1_score"
        + " DOUBLE, scores ARRAY<DOUBLE>", Map.of()),
        "candidates must be ARRAY<STRING> or ARRAY<ROW<id STRING, text STRING>>, got ARRAY<INT>");
    assertContains(failure("query STRING, candidates ARRAY<ROW<a STRING, b STRING>>",
        "top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>", Map.of()),
        "must be ARRAY<ROW<id STRING, text STRING>>");
  }

  @Test
  void listShapeNeedsItsThreeOutputs() {
    assertContains(failure(LIST_IN, "score DOUBLE", Map.of()),
        "list reranking needs OUTPUT (top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>",
        "got (score DOUBLE)");
  }

  @Test
  void unknownOptionIsNamed() {
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("batch.max-pair", "8")),
        "Unsupported options", "batch.max-pair");
  }

  @Test
  void missingModelIsNamed() {
    Map<String, String> options = new LinkedHashMap<>(valid());
    options.remove("model");
    assertContains(failureWith(PAIR_IN, "score DOUBLE", options),
        "Missing required options", "model");
    options.put("model", " ");
    assertContains(failureWith(PAIR_IN, "score DOUBLE", options), "option 'model' is empty");
  }

  @Test
  void badValuesAreNamed() {
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("device", "tpu")),
        "option 'device' is 'tpu'; use auto, cpu, gpu or gpu:N");
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("dtype", "bf16")),
        "option 'dtype' is 'bf16'; use auto, fp32 or fp16");
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("max-length", "0")),
        "option 'max-length' is 0; it must be at least 1");
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("max-length", "many")),
        "max-length", "many");
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("batch.max-pairs", "-1")),
        "option 'batch.max-pairs' is -1");
    assertContains(failure(PAIR_IN, "score DOUBLE", Map.of("batch.call-cost-tokens", "-5")),
        "batch.call-cost-tokens must not be negative");
  }

  private Map<String, String> valid() {
    // Planning never opens the model: the directory need not exist.
    return SqlTestModels.options(tmp.resolve("no-checkpoint-needed"));
  }

  private String failure(String input, String output, Map<String, String> overrides) {
    Map<String, String> options = new LinkedHashMap<>(valid());
    options.putAll(overrides);
    return failureWith(input, output, options);
  }

  /** Declares the model and plans a query on it; returns the messages of the failure's causes. */
  private static String failureWith(String input, String output, Map<String, String> options) {
    TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    String[] columns = input.split(",\\s*(?![^<]*>)");
    StringBuilder values = new StringBuilder("CREATE TEMPORARY VIEW t AS SELECT * FROM (VALUES (");
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < columns.length; i++) {
      String[] nameType = columns[i].trim().split("\\s+", 2);
      values.append(i > 0 ? ", " : "").append("CAST(NULL AS ").append(nameType[1]).append(")");
      names.append(i > 0 ? ", " : "").append(nameType[0]);
    }
    values.append(")) AS v(").append(names).append(")");
    Throwable error = assertThrows(Throwable.class, () -> {
      tEnv.executeSql(values.toString());
      tEnv.executeSql(SqlTestModels.createModel("m", input, output, options));
      tEnv.explainSql("SELECT * FROM ML_PREDICT(TABLE t, MODEL m, DESCRIPTOR(" + names + "))");
    });
    StringBuilder messages = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    return messages.toString();
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "expected '" + part + "' in:\n" + message);
    }
  }
}
