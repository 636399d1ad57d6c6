package dev.flinkreranker.sql;

import java.util.Collection;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.PredictFunction;

/**
 * ML_PREDICT with {@code 'async' = 'false'}: each subtask waits for its row's scores before taking
 * the next row, so batches only combine rows of different subtasks of the TaskManager.
 */
public final class SyncRerankPredictFunction extends PredictFunction {
  private final PredictCore core;

  SyncRerankPredictFunction(PredictCore core) {
    this.core = core;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    core.open(context.getMetricGroup());
  }

  @Override
  public Collection<RowData> predict(RowData inputRow) {
    return List.of(core.predict(inputRow).join());
  }

  @Override
  public void close() throws Exception {
    core.close();
    super.close();
  }
}
