package dev.flinkreranker.replay;

import dev.flinkreranker.avro.DeadLetter;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Counts a replay's dead letters by reason code (accumulators {@code replay.deadLetters.<CODE>}). */
public final class DeadLetterTap extends ProcessFunction<DeadLetter, Void> {
  private transient Map<String, LongCounter> byReason;

  @Override
  public void processElement(DeadLetter deadLetter, Context ctx, Collector<Void> out) {
    if (byReason == null) {
      byReason = new HashMap<>();
    }
    byReason.computeIfAbsent(deadLetter.getReasonCode(), code -> {
      LongCounter c = new LongCounter();
      // Registered on first use: reason codes are open-ended, and absent ones need no zero.
      getRuntimeContext().addAccumulator(ReplayCounters.DEAD_LETTERS + code, c);
      return c;
    }).add(1);
  }
}
