package dev.flinkreranker.sql;

import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.ResolvedCatalogModel;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;

/**
 * {@code CREATE MODEL m INPUT (...) OUTPUT (...) WITH ('provider' = 'qwen3-reranker', 'model' =
 * '...')}: Qwen3-Reranker (or the BM25 baseline, {@code 'model' = 'lexical'}) as a Flink SQL model
 * for {@code ML_PREDICT}, scoring on the TaskManager through the job's per-JVM
 * {@link ScoringService}. Found by Flink through {@code META-INF/services}; the planner calls it
 * when a query uses the model, so every mistake in the declaration fails the query before it runs.
 */
public final class Qwen3RerankerModelProviderFactory implements ModelProviderFactory {
  public static final String IDENTIFIER = "qwen3-reranker";

  private static final Pattern DEVICE = Pattern.compile("auto|cpu|gpu|gpu:\\d+");
  private static final Set<String> DTYPES = Set.of("auto", "fp32", "fp16");
  private static final int MAX_MAX_LENGTH = 32768;

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(ModelOptions.MODEL);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(ModelOptions.DEVICE, ModelOptions.DTYPE, ModelOptions.MAX_LENGTH,
        ModelOptions.INSTRUCTION, ModelOptions.MAX_CANDIDATES, ModelOptions.BATCH_MAX_PAIRS,
        ModelOptions.BATCH_MAX_TOKENS, ModelOptions.BATCH_MAX_WAIT,
        ModelOptions.BATCH_QUEUE_CAPACITY, ModelOptions.BATCH_CALL_COST_TOKENS,
        ModelOptions.SCORING_TIMEOUT, ModelOptions.HUB_OFFLINE, ModelOptions.HUB_TOKEN);
  }

  @Override
  public ModelProvider createModelProvider(Context context) {
    FactoryUtil.ModelProviderFactoryHelper helper =
        FactoryUtil.createModelProviderFactoryHelper(this, context);
    // Unknown options, missing 'model' and unparsable values, each named by Flink's message.
    helper.validate();
    ReadableConfig options = helper.getOptions();
    String name = context.getObjectIdentifier().asSummaryString();
    ResolvedCatalogModel model = context.getCatalogModel();
    ModelShape shape =
        ModelShape.of(name, model.getResolvedInputSchema(), model.getResolvedOutputSchema());
    return new RerankModelProvider(new PredictCore(name, scoringKey(name, options),
        new HubScorerFactory(options.getOptional(ModelOptions.HUB_OFFLINE).orElse(null),
            options.getOptional(ModelOptions.HUB_TOKEN).orElse(null)),
        shape, options.getOptional(ModelOptions.INSTRUCTION).orElse(null),
        positive(name, ModelOptions.MAX_CANDIDATES, options.get(ModelOptions.MAX_CANDIDATES)),
        options.get(ModelOptions.SCORING_TIMEOUT)));
  }

  /**
   * The per-JVM service a model's functions share: models with the same scorer and batch settings
   * share one loaded model (and its batches) with each other and with a DataStream job.
   */
  public static ScoringService.Key scoringKey(String name, ReadableConfig options) {
    String model = options.get(ModelOptions.MODEL).trim();
    if (model.isEmpty()) {
      throw invalid(name, ModelOptions.MODEL, "is empty; give a model directory in Hugging Face"
          + " layout, a hub id such as Qwen/Qwen3-Reranker-0.6B, or 'lexical'");
    }
    String device = options.get(ModelOptions.DEVICE).trim().toLowerCase(Locale.ROOT);
    if (!DEVICE.matcher(device).matches()) {
      throw invalid(name, ModelOptions.DEVICE, "is '" + device + "'; use auto, cpu, gpu or gpu:N");
    }
    String dtype = options.get(ModelOptions.DTYPE).trim().toLowerCase(Locale.ROOT);
    if (!DTYPES.contains(dtype)) {
      throw invalid(name, ModelOptions.DTYPE, "is '" + dtype + "'; use auto, fp32 or fp16");
    }
    int maxLength = positive(name, ModelOptions.MAX_LENGTH, options.get(ModelOptions.MAX_LENGTH));
    if (maxLength > MAX_MAX_LENGTH) {
      throw invalid(name, ModelOptions.MAX_LENGTH, "is " + maxLength
          + "; the model handles at most " + MAX_MAX_LENGTH + " tokens");
    }
    BatchSettings batch;
    try {
      batch = new BatchSettings(
          positive(name, ModelOptions.BATCH_MAX_PAIRS, options.get(ModelOptions.BATCH_MAX_PAIRS)),
          positive(name, ModelOptions.BATCH_MAX_TOKENS, options.get(ModelOptions.BATCH_MAX_TOKENS)),
          options.get(ModelOptions.BATCH_MAX_WAIT),
          positive(name, ModelOptions.BATCH_QUEUE_CAPACITY,
              options.get(ModelOptions.BATCH_QUEUE_CAPACITY)),
          options.get(ModelOptions.BATCH_CALL_COST_TOKENS));
    } catch (IllegalArgumentException e) {
      // BatchSettings names the option with the same key as ours (batch.max-wait, ...).
      throw new ValidationException("Model " + name + ": " + e.getMessage() + ".");
    }
    return new ScoringService.Key(new ScorerSpec(model, device, dtype, maxLength), batch);
  }

  private static int positive(String name, ConfigOption<Integer> option, int value) {
    if (value < 1) {
      throw invalid(name, option, "is " + value + "; it must be at least 1");
    }
    return value;
  }

  private static ValidationException invalid(String name, ConfigOption<?> option, String problem) {
    return new ValidationException(
        "Model " + name + ": option '" + option.key() + "' " + problem + ".");
  }
}
