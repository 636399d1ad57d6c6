package dev.flinkreranker.sql;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.validation.ReasonCode;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * The two model schemas the provider serves, checked against the declared {@code INPUT}/{@code
 * OUTPUT} when a query plans {@code ML_PREDICT}, and the conversion of one row to pairs and of its
 * scores back to a row.
 *
 * <p>Columns are matched by position and type; their names are the user's. A row that cannot be
 * scored (the job would dead-letter it) gets NULL outputs and, when the model declares a trailing
 * {@code reason STRING} output column, the reason code and message there. ML_PREDICT drops a row
 * for which a model returns nothing, so a NULL row is what keeps every input row accounted for.
 *
 * @param kind pair scoring or list reranking
 * @param rowCandidates list shape: candidates are {@code ROW<id, text>} rather than strings
 * @param textField list shape with rows: position of {@code text} in the candidate row
 * @param reasonColumn the output ends with a {@code reason STRING} column
 */
public record ModelShape(Kind kind, boolean rowCandidates, int textField, boolean reasonColumn)
    implements Serializable {

  /** What a model computes. */
  public enum Kind {
    /** (query, document) → score. */
    PAIR,
    /** (query, candidates) → top-1 index (1-based, like SQL arrays), top-1 score, all scores. */
    LIST
  }

  static final String ACCEPTED_FORMS = String.join("\n",
      "The qwen3-reranker provider accepts these model schemas (column names are free; types and"
          + " order count):",
      "  pair scoring:   INPUT (query STRING, document STRING)",
      "                  OUTPUT (score DOUBLE)",
      "  list reranking: INPUT (query STRING, candidates ARRAY<STRING>)",
      "              or  INPUT (query STRING, candidates ARRAY<ROW<id STRING, text STRING>>)",
      "                  OUTPUT (top1_index INT, top1_score DOUBLE, scores ARRAY<DOUBLE>)",
      "Either OUTPUT may end with a 'reason STRING' column: NULL for scored rows, the reason for"
          + " rows that could not be scored (their other outputs are NULL).");

  /** Checks a declared schema; the message names the mismatch and lists the accepted forms. */
  public static ModelShape of(String model, ResolvedSchema input, ResolvedSchema output) {
    List<LogicalType> in = physicalTypes(model, "INPUT", input);
    List<LogicalType> out = physicalTypes(model, "OUTPUT", output);
    if (in.size() != 2) {
      throw mismatch(model, "INPUT has " + in.size() + " columns " + describe(input)
          + ", expected 2 (query and document, or query and candidates)");
    }
    if (!isString(in.get(0))) {
      throw mismatch(model, "INPUT column 1 must be STRING (the query), got " + in.get(0));
    }
    boolean reason = !out.isEmpty() && isString(out.get(out.size() - 1));
    List<LogicalType> values = reason ? out.subList(0, out.size() - 1) : out;
    LogicalType second = in.get(1);
    if (isString(second)) {
      if (values.size() != 1 || !values.get(0).is(LogicalTypeRoot.DOUBLE)) {
        throw mismatch(model, "pair scoring (INPUT query STRING, document STRING) needs OUTPUT"
            + " (score DOUBLE [, reason STRING]), got " + describe(output));
      }
      return new ModelShape(Kind.PAIR, false, -1, reason);
    }
    if (!(second instanceof ArrayType array)) {
      throw mismatch(model, "INPUT column 2 must be STRING (a document) or an ARRAY (candidates),"
          + " got " + second);
    }
    LogicalType element = array.getElementType();
    int textField = -1;
    if (element instanceof RowType row) {
      textField = textField(row);
      if (textField < 0) {
        throw mismatch(model, "candidates of type " + second
            + " must be ARRAY<ROW<id STRING, text STRING>>");
      }
    } else if (!isString(element)) {
      throw mismatch(model, "candidates must be ARRAY<STRING> or ARRAY<ROW<id STRING, text"
          + " STRING>>, got " + second);
    }
    if (values.size() != 3
        || !values.get(0).is(LogicalTypeRoot.INTEGER)
        || !values.get(1).is(LogicalTypeRoot.DOUBLE)
        || !(values.get(2) instanceof ArrayType scores)
        || !scores.getElementType().is(LogicalTypeRoot.DOUBLE)) {
      throw mismatch(model, "list reranking needs OUTPUT (top1_index INT, top1_score DOUBLE,"
          + " scores ARRAY<DOUBLE> [, reason STRING]), got " + describe(output));
    }
    return new ModelShape(Kind.LIST, element instanceof RowType, textField, reason);
  }

  /** The pairs of one input row, or why it cannot be scored. */
  public Request request(RowData row, String instruction, int maxCandidates) {
    if (row.isNullAt(0) || row.getString(0).toString().isBlank()) {
      return Request.rejected(ReasonCode.MISSING_QUERY, "query is NULL or empty");
    }
    String query = row.getString(0).toString();
    if (kind == Kind.PAIR) {
      if (row.isNullAt(1)) {
        return Request.rejected(ReasonCode.NULL_FIELD, "document is NULL");
      }
      return Request.of(List.of(new Pair(query, row.getString(1).toString(), instruction)));
    }
    ArrayData candidates = row.isNullAt(1) ? null : row.getArray(1);
    if (candidates == null || candidates.size() == 0) {
      return Request.rejected(ReasonCode.NO_CANDIDATES, "candidates is NULL or empty");
    }
    if (candidates.size() > maxCandidates) {
      return Request.rejected(ReasonCode.TOO_MANY_CANDIDATES, candidates.size()
          + " candidates, more than the model's max-candidates=" + maxCandidates);
    }
    List<Pair> pairs = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      StringData text = null;
      if (!candidates.isNullAt(i)) {
        if (rowCandidates) {
          RowData c = candidates.getRow(i, 2);
          text = c.isNullAt(textField) ? null : c.getString(textField);
        } else {
          text = candidates.getString(i);
        }
      }
      if (text == null) {
        // SQL arrays count from 1.
        return Request.rejected(ReasonCode.NULL_FIELD, "candidates[" + (i + 1) + "]"
            + (rowCandidates ? ".text" : "") + " is NULL");
      }
      pairs.add(new Pair(query, text.toString(), instruction));
    }
    return Request.of(pairs);
  }

  /** The output row of scored pairs. */
  public RowData scored(float[] scores) {
    if (kind == Kind.PAIR) {
      return withReason(null, (double) scores[0]);
    }
    int best = 0;
    double[] all = new double[scores.length];
    for (int i = 0; i < scores.length; i++) {
      all[i] = scores[i];
      if (scores[i] > scores[best]) { // ties keep the earlier candidate, as the job's ranking does
        best = i;
      }
    }
    return withReason(null, best + 1, (double) scores[best], new GenericArrayData(all));
  }

  /** The output row of an input row that could not be scored: NULL outputs and the reason. */
  public RowData rejected(ReasonCode code, String message) {
    String reason = code.name() + ": " + message;
    return kind == Kind.PAIR ? withReason(reason, (Object) null)
        : withReason(reason, null, null, null);
  }

  private RowData withReason(String reason, Object... values) {
    GenericRowData row = new GenericRowData(values.length + (reasonColumn ? 1 : 0));
    for (int i = 0; i < values.length; i++) {
      row.setField(i, values[i]);
    }
    if (reasonColumn) {
      row.setField(values.length, reason == null ? null : StringData.fromString(reason));
    }
    return row;
  }

  /** One input row's pairs, or the reason it has none. */
  public record Request(List<Pair> pairs, ReasonCode code, String message) {
    static Request of(List<Pair> pairs) {
      return new Request(pairs, null, null);
    }

    static Request rejected(ReasonCode code, String message) {
      return new Request(List.of(), code, message);
    }

    public boolean isRejected() {
      return code != null;
    }
  }

  private static int textField(RowType row) {
    List<String> names = row.getFieldNames().stream()
        .map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toList());
    int text = names.indexOf("text");
    if (row.getFieldCount() != 2 || text < 0 || !names.contains("id")) {
      return -1;
    }
    return isString(row.getTypeAt(0)) && isString(row.getTypeAt(1)) ? text : -1;
  }

  private static List<LogicalType> physicalTypes(String model, String side, ResolvedSchema schema) {
    List<LogicalType> types = new ArrayList<>();
    for (Column c : schema.getColumns()) {
      if (!c.isPhysical()) {
        throw mismatch(model, side + " column " + c.getName() + " must be a physical column");
      }
      types.add(c.getDataType().getLogicalType());
    }
    return types;
  }

  private static boolean isString(LogicalType type) {
    return type.is(LogicalTypeFamily.CHARACTER_STRING);
  }

  private static String describe(ResolvedSchema schema) {
    return schema.getColumns().stream()
        .map(c -> c.getName() + " " + c.getDataType().getLogicalType())
        .collect(Collectors.joining(", ", "(", ")"));
  }

  private static ValidationException mismatch(String model, String problem) {
    return new ValidationException("Model " + model + ": " + problem + ".\n" + ACCEPTED_FORMS);
  }
}
