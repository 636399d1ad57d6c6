package dev.flinkreranker.sql;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.flinkreranker.config.RerankOptions;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;

/**
 * The {@code WITH (...)} options of {@code CREATE MODEL ... WITH ('provider' = 'qwen3-reranker')}.
 * They mirror the job's options ({@link RerankOptions}) without the {@code model.} prefix, with the
 * same defaults and descriptions, so one model reads the same in a job profile and in SQL.
 */
public final class ModelOptions {
  private ModelOptions() {}

  public static final ConfigOption<String> MODEL =
      key("model").stringType().noDefaultValue()
          .withDescription(RerankOptions.MODEL.description());

  public static final ConfigOption<String> DEVICE =
      key("device").stringType().defaultValue(RerankOptions.DEVICE.defaultValue())
          .withDescription(RerankOptions.DEVICE.description());

  public static final ConfigOption<String> DTYPE =
      key("dtype").stringType().defaultValue(RerankOptions.DTYPE.defaultValue())
          .withDescription(RerankOptions.DTYPE.description());

  public static final ConfigOption<Integer> MAX_LENGTH =
      key("max-length").intType().defaultValue(RerankOptions.MAX_LENGTH.defaultValue())
          .withDescription(RerankOptions.MAX_LENGTH.description());

  public static final ConfigOption<String> INSTRUCTION =
      key("instruction").stringType().noDefaultValue()
          .withDescription("Instruction for every pair; unset means the model card's default"
              + " ('Given a web search query, retrieve relevant passages that answer the query').");

  public static final ConfigOption<Integer> MAX_CANDIDATES =
      key("max-candidates").intType().defaultValue(RerankOptions.MAX_CANDIDATES.defaultValue())
          .withDescription("List shape: a row with more candidates is not scored; its outputs are"
              + " NULL with reason TOO_MANY_CANDIDATES.");

  public static final ConfigOption<Integer> BATCH_MAX_PAIRS =
      key("batch.max-pairs").intType().defaultValue(RerankOptions.BATCH_MAX_PAIRS.defaultValue())
          .withDescription(RerankOptions.BATCH_MAX_PAIRS.description());

  public static final ConfigOption<Integer> BATCH_MAX_TOKENS =
      key("batch.max-tokens").intType().defaultValue(RerankOptions.BATCH_MAX_TOKENS.defaultValue())
          .withDescription(RerankOptions.BATCH_MAX_TOKENS.description());

  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      key("batch.max-wait").durationType().defaultValue(RerankOptions.BATCH_MAX_WAIT.defaultValue())
          .withDescription(RerankOptions.BATCH_MAX_WAIT.description());

  public static final ConfigOption<Integer> BATCH_QUEUE_CAPACITY =
      key("batch.queue-capacity").intType()
          .defaultValue(RerankOptions.BATCH_QUEUE_PAIRS.defaultValue())
          .withDescription(RerankOptions.BATCH_QUEUE_PAIRS.description());

  public static final ConfigOption<Integer> BATCH_CALL_COST_TOKENS =
      key("batch.call-cost-tokens").intType()
          .defaultValue(RerankOptions.BATCH_CALL_COST_TOKENS.defaultValue())
          .withDescription(RerankOptions.BATCH_CALL_COST_TOKENS.description());

  public static final ConfigOption<Duration> SCORING_TIMEOUT =
      key("scoring-timeout").durationType().defaultValue(Duration.ofMinutes(2))
          .withDescription("A row not scored within this time gets NULL outputs with reason"
              + " TIMEOUT instead of failing the job; keep it below ML_PREDICT's 'timeout'"
              + " (table.exec.async-ml-predict.timeout, 3 min by default), which fails the job.");

  public static final ConfigOption<Boolean> HUB_OFFLINE =
      key("hub.offline").booleanType().noDefaultValue()
          .withDescription("true: resolve hub ids from the local cache only (like"
              + " HF_HUB_OFFLINE=1); unset: the TaskManager's environment decides.");

  public static final ConfigOption<String> HUB_TOKEN =
      key("hub.token").stringType().noDefaultValue()
          .withDescription("Token for gated or private hub repositories; unset: HF_TOKEN or the"
              + " token file of the TaskManager's environment. Prefer the environment: a token"
              + " in DDL is stored in the catalog and shown by SHOW CREATE MODEL.");
}
