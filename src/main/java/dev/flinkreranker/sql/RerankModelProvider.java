package dev.flinkreranker.sql;

import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.PredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.ml.PredictRuntimeProvider;

/**
 * Both runtime shapes of one model: the planner picks async unless the query says
 * {@code MAP['async', 'false']}.
 */
final class RerankModelProvider implements AsyncPredictRuntimeProvider, PredictRuntimeProvider {
  private final PredictCore core;

  RerankModelProvider(PredictCore core) {
    this.core = core;
  }

  @Override
  public AsyncPredictFunction createAsyncPredictFunction(ModelProvider.Context context) {
    return new AsyncRerankPredictFunction(core);
  }

  @Override
  public PredictFunction createPredictFunction(ModelProvider.Context context) {
    return new SyncRerankPredictFunction(core);
  }

  @Override
  public ModelProvider copy() {
    // PredictCore is immutable until a function opens it on a TaskManager (after serialization).
    return new RerankModelProvider(core);
  }
}
