package dev.flinkreranker.job;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.scoring.BatchSettings;
import dev.flinkreranker.scoring.CachingScorer;
import dev.flinkreranker.scoring.RerankFunction;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.Scorers;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.validation.CandidateSetValidator;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.util.OutputTag;

/**
 * The whole job graph, built by one function that the CLI, the local demo and the tests call:
 *
 * <pre>
 * source → decode-validate ─(bad)→ dead letters
 *        → event-time watermarks → rerank (async, retried) → ranking ─(failed)→ dead letters
 *        → results sink
 * </pre>
 *
 * Every operator has a stable uid so that savepoints survive changes to the graph around it.
 */
public final class RerankJob {
  private RerankJob() {}

  /** Side output of records that cannot be ranked. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

  /** Operator uids (stable across versions: savepoints map state by these). */
  public static final String UID_SOURCE = "candidates-source";
  public static final String UID_DECODE = "decode-validate";
  public static final String UID_WATERMARKS = "event-time-watermarks";
  public static final String UID_RERANK = "rerank-async";
  public static final String UID_RANKING = "ranking";
  public static final String UID_RESULTS_SINK = "results-sink";
  public static final String UID_DEAD_LETTER_SINK = "dead-letter-sink";

  /**
   * The streams of a built graph, for callers that attach more (replay taps {@code scored} for its
   * offline evaluation: unlike results, it has every candidate in input order, with its score).
   */
  public record Streams(DataStream<RerankResult> results, DataStream<DeadLetter> deadLetters,
      DataStream<ScoredRequest> scored) {}

  /** Builds the graph reading from and writing to Kafka as configured. */
  public static Streams buildKafka(StreamExecutionEnvironment env, Configuration conf) {
    return build(env, conf, KafkaFactory.source(conf), KafkaFactory.resultSink(conf),
        KafkaFactory.deadLetterSink(conf), Scorers::open);
  }

  /**
   * Builds the graph on the given source and sinks.
   *
   * @param scorers opens the scorer of the configured {@link ScorerSpec} (once per TaskManager)
   */
  public static Streams build(StreamExecutionEnvironment env, Configuration conf,
      Source<RawRecord, ?, ?> source, Sink<RerankResult> resultSink, Sink<DeadLetter> deadLetterSink,
      ScoringService.ScorerFactory scorers) {
    configureEnvironment(env, conf);
    Clock clock = Clock.systemUTC();

    DataStream<RawRecord> raw = env
        .fromSource(source, WatermarkStrategy.noWatermarks(), "candidates source")
        .uid(UID_SOURCE)
        .returns(new AvroTypeInfo<>(RawRecord.class));

    OutputLimits limits = OutputLimits.from(conf);
    CandidateSetValidator validator = new CandidateSetValidator(
        conf.get(RerankOptions.MAX_CANDIDATES),
        CandidateSetValidator.DuplicatePolicy.parse(conf.get(RerankOptions.DUPLICATE_IDS)),
        conf.get(RerankOptions.MAX_EVENT_TIME_AHEAD));
    SingleOutputStreamOperator<RerankRequest> requests = raw
        .process(new DecodeValidateFunction(
            new CandidateSetCodec(CandidateSetCodec.Format.parse(conf.get(RerankOptions.INPUT_FORMAT))),
            validator, conf.get(RerankOptions.MAX_RECORD_BYTES), DEAD_LETTERS, clock,
            limits.deadLetters()))
        .returns(new AvroTypeInfo<>(RerankRequest.class))
        .name("decode + validate")
        .uid(UID_DECODE);

    // Watermarks come from event_time, which is only known after decoding.
    DataStream<RerankRequest> timed = requests
        .assignTimestampsAndWatermarks(WatermarkStrategy
            .<RerankRequest>forBoundedOutOfOrderness(conf.get(RerankOptions.MAX_OUT_OF_ORDERNESS))
            .withTimestampAssigner((r, previous) ->
                r.getCandidateSet().getEventTime().toEpochMilli())
            .withIdleness(conf.get(RerankOptions.IDLE_TIMEOUT)))
        .name("event-time watermarks")
        .uid(UID_WATERMARKS);

    Duration timeout = conf.get(RerankOptions.ASYNC_TIMEOUT);
    int retries = conf.get(RerankOptions.ASYNC_RETRIES);
    ScoringService.Key key = scoringKey(conf);
    if (key.cacheEntries() > 0) {
      scorers = CachingScorer.wrap(scorers, key.cacheEntries());
    }
    RerankFunction rerank = new RerankFunction(key, scorers,
        conf.getOptional(RerankOptions.DEFAULT_INSTRUCTION).orElse(null),
        // Each attempt gets an equal share of the overall timeout, so a stuck one is retried.
        timeout.dividedBy(retries + 1));
    SingleOutputStreamOperator<ScoredRequest> scored = AsyncDataStream
        .unorderedWaitWithRetry(timed, rerank, timeout.toMillis(), TimeUnit.MILLISECONDS,
            conf.get(RerankOptions.ASYNC_CAPACITY), retryStrategy(retries))
        .returns(new AvroTypeInfo<>(ScoredRequest.class))
        .name("rerank (" + key.spec().model() + ")")
        .uid(UID_RERANK);

    SingleOutputStreamOperator<RerankResult> results = scored
        .process(new RankingFunction(conf.get(RerankOptions.TOP_K), DEAD_LETTERS, clock,
            conf.get(RerankOptions.OUTPUT_SOURCE_ATTRIBUTES), limits))
        .returns(new AvroTypeInfo<>(RerankResult.class))
        .name("ranking")
        .uid(UID_RANKING);

    results.sinkTo(resultSink).name("results sink").uid(UID_RESULTS_SINK);

    DataStream<DeadLetter> deadLetters =
        requests.getSideOutput(DEAD_LETTERS).union(results.getSideOutput(DEAD_LETTERS));
    deadLetters.sinkTo(deadLetterSink).name("dead-letter sink").uid(UID_DEAD_LETTER_SINK);
    return new Streams(results, deadLetters, scored);
  }

  /** Retries a failed attempt (failure result) with a short fixed delay. */
  static AsyncRetryStrategy<ScoredRequest> retryStrategy(int retries) {
    Predicate<Collection<ScoredRequest>> failed =
        (Predicate<Collection<ScoredRequest>> & Serializable)
            out -> out.stream().anyMatch(r -> r.getFailureCode() != null);
    return new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<ScoredRequest>(retries + 1, 100L)
        .ifResult(failed)
        .build();
  }

  static void configureEnvironment(StreamExecutionEnvironment env, Configuration conf) {
    env.enableCheckpointing(conf.get(RerankOptions.CHECKPOINT_INTERVAL).toMillis(),
        CheckpointingMode.EXACTLY_ONCE);
    int parallelism = conf.get(RerankOptions.PARALLELISM);
    if (parallelism > 0) {
      env.setParallelism(parallelism);
    }
  }

  public static ScorerSpec scorerSpec(Configuration conf) {
    return new ScorerSpec(conf.get(RerankOptions.MODEL), conf.get(RerankOptions.DEVICE),
        conf.get(RerankOptions.DTYPE), conf.get(RerankOptions.MAX_LENGTH));
  }

  /** The key of the job's per-JVM scoring service (model, batching, score cache). */
  public static ScoringService.Key scoringKey(Configuration conf) {
    boolean cache = conf.get(RerankOptions.CACHE_ENABLED);
    int entries = conf.get(RerankOptions.CACHE_MAX_ENTRIES);
    if (cache && entries < 1) {
      throw new IllegalArgumentException("cache.max-entries must be >= 1, got " + entries);
    }
    return new ScoringService.Key(scorerSpec(conf), batchSettings(conf), cache ? entries : 0);
  }

  public static BatchSettings batchSettings(Configuration conf) {
    return new BatchSettings(conf.get(RerankOptions.BATCH_MAX_PAIRS),
        conf.get(RerankOptions.BATCH_MAX_TOKENS), conf.get(RerankOptions.BATCH_MAX_WAIT),
        conf.get(RerankOptions.BATCH_QUEUE_PAIRS), conf.get(RerankOptions.BATCH_CALL_COST_TOKENS));
  }
}
