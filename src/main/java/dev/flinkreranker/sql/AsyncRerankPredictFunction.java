package dev.flinkreranker.sql;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

/**
 * ML_PREDICT with {@code 'async' = 'true'} (the default): up to {@code max-concurrent-operations}
 * rows per subtask wait in the service's queue at once, so they are scored in shared batches.
 * Flink's async operator checkpoints the rows in flight and re-issues them after a restore.
 */
public final class AsyncRerankPredictFunction extends AsyncPredictFunction {
  private final PredictCore core;

  AsyncRerankPredictFunction(PredictCore core) {
    this.core = core;
  }

  @Override
  public void open(FunctionContext context) throws Exception {
    super.open(context);
    core.open(context.getMetricGroup());
  }

  @Override
  public CompletableFuture<Collection<RowData>> asyncPredict(RowData inputRow) {
    return core.predict(inputRow).thenApply(List::of);
  }

  @Override
  public void close() throws Exception {
    core.close();
    super.close();
  }
}
