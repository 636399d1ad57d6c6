package dev.flinkreranker.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every setting of the rerank job, with its default and a description. Profiles in {@code job/*.yaml}
 * and {@code --set key=value} overrides use these keys; unknown keys are rejected when loaded (a typo
 * must not silently fall back to a default). Keys starting with {@link #KAFKA_PROPERTIES_PREFIX} are
 * passed to the Kafka clients as they are.
 */
public final class RerankOptions {
  private RerankOptions() {}

  /** Prefix for raw Kafka client properties, e.g. {@code kafka.properties.security.protocol}. */
  public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

  // ---- job ----
  public static final ConfigOption<String> JOB_NAME =
      key("job.name").stringType().defaultValue("flink-reranker")
          .withDescription("Name of the Flink job, shown in the dashboard.");

  public static final ConfigOption<Integer> PARALLELISM =
      key("job.parallelism").intType().defaultValue(-1)
          .withDescription("Parallelism of the job; -1 uses what the submission asked for"
              + " (flink run -p, a REST request's parallelism), else the cluster's"
              + " parallelism.default, read from its configuration file where a REST submission"
              + " would run at 1.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      key("job.checkpoint-interval").durationType().defaultValue(Duration.ofSeconds(10))
          .withDescription("Checkpoint interval. Exactly-once results are committed to Kafka on"
              + " each checkpoint, so this bounds the end-to-end latency seen by read_committed"
              + " consumers.");

  public static final ConfigOption<Boolean> BOUNDED =
      key("job.bounded").booleanType().defaultValue(false)
          .withDescription("Read the input topics up to the offsets that are latest at start-up,"
              + " then finish (replay of a backlog); false runs continuously.");

  public static final ConfigOption<String> MODE =
      key("job.mode").stringType().defaultValue("streaming")
          .withDescription("streaming: rerank the input topics continuously (or up to the latest"
              + " offsets with job.bounded) | replay: rerank a bounded range of a topic or a set"
              + " of files given by the replay.* keys, then print a summary and an evaluation"
              + " report (what the `replay` command runs).");

  // ---- model / scorer ----
  public static final ConfigOption<String> MODEL =
      key("model.name").stringType().defaultValue("lexical")
          .withDescription("Scorer: a model directory in Hugging Face layout, a hub id"
              + " (org/name[@revision]), or 'lexical' for the BM25 baseline.");

  public static final ConfigOption<String> DEVICE =
      key("model.device").stringType().defaultValue("auto")
          .withDescription("Device for the model: auto | cpu | gpu | gpu:N.");

  public static final ConfigOption<String> DTYPE =
      key("model.dtype").stringType().defaultValue("auto")
          .withDescription("Compute type: auto (fp16 on GPU, fp32 on CPU) | fp32 | fp16.");

  public static final ConfigOption<Integer> MAX_LENGTH =
      key("model.max-length").intType().defaultValue(8192)
          .withDescription("Maximum model input in tokens (prompt included, up to 32768); longer"
              + " documents are truncated and flagged 'truncated' in the result.");

  public static final ConfigOption<String> DEFAULT_INSTRUCTION =
      key("model.instruction").stringType().noDefaultValue()
          .withDescription("Instruction used when a request has none; unset means the model"
              + " card's default ('Given a web search query, retrieve relevant passages that"
              + " answer the query').");

  // ---- score cache ----
  public static final ConfigOption<Boolean> CACHE_ENABLED =
      key("cache.enabled").booleanType().defaultValue(false)
          .withDescription("Remember scores by (model, instruction, query, document) so that a"
              + " pair that repeats is scored once (per TaskManager, LRU). For request-scoped"
              + " scorers (lexical BM25, whose scores depend on the request's other candidates)"
              + " the key also covers every document of the request. The replay command turns"
              + " it on unless told otherwise.");

  public static final ConfigOption<Integer> CACHE_MAX_ENTRIES =
      key("cache.max-entries").intType().defaultValue(100_000)
          .withDescription("Scores kept by the cache; the least recently used are evicted"
              + " (an entry takes about 100 bytes: documents are kept as a hash).");

  // ---- input ----
  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      key("kafka.bootstrap-servers").stringType().defaultValue("localhost:9092")
          .withDescription("Kafka bootstrap servers for input, results and dead letters.");

  public static final ConfigOption<List<String>> INPUT_TOPICS =
      key("input.topics").stringType().asList().defaultValues("rerank.candidates")
          .withDescription("Input topics with CandidateSet records (semicolon-separated list).");

  public static final ConfigOption<String> INPUT_FORMAT =
      key("input.format").stringType().defaultValue("json")
          .withDescription("Encoding of input records: avro (binary CandidateSet) | json (same"
              + " field names; event_time as epoch millis or ISO-8601).");

  public static final ConfigOption<String> GROUP_ID =
      key("input.group-id").stringType().defaultValue("flink-reranker")
          .withDescription("Kafka consumer group id (offsets are committed on checkpoints, for"
              + " monitoring only: Flink restores from its own checkpoints).");

  public static final ConfigOption<String> STARTING_OFFSETS =
      key("input.starting-offsets").stringType().defaultValue("committed-or-earliest")
          .withDescription("Where a fresh job starts reading: earliest | latest |"
              + " committed-or-earliest.");

  public static final ConfigOption<Integer> MAX_RECORD_BYTES =
      key("input.max-record-bytes").intType().defaultValue(1024 * 1024)
          .withDescription("Input records larger than this are dead-lettered (RECORD_TOO_LARGE).");

  public static final ConfigOption<Integer> MAX_CANDIDATES =
      key("input.max-candidates").intType().defaultValue(200)
          .withDescription("Requests with more candidates are dead-lettered (TOO_MANY_CANDIDATES).");

  public static final ConfigOption<String> DUPLICATE_IDS =
      key("input.duplicate-ids").stringType().defaultValue("reject")
          .withDescription("Policy for candidate ids that repeat within a request: reject (the"
              + " request is dead-lettered with DUPLICATE_CANDIDATE_ID) | keep-first (later"
              + " duplicates are dropped before scoring and counted in the result's attributes).");

  public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
      key("input.max-out-of-orderness").durationType().defaultValue(Duration.ofSeconds(5))
          .withDescription("Bounded out-of-orderness of event_time for watermarks.");

  public static final ConfigOption<Duration> MAX_EVENT_TIME_AHEAD =
      key("input.max-event-time-ahead").durationType().defaultValue(Duration.ofHours(1))
          .withDescription("Requests whose event_time is further than this in the future (by"
              + " the TaskManager's clock) are dead-lettered (INVALID_EVENT_TIME), as are"
              + " event times before 1970 or beyond what epoch milliseconds hold: a far-future"
              + " event time would drag the watermark ahead of every other request.");

  public static final ConfigOption<Duration> IDLE_TIMEOUT =
      key("input.idle-timeout").durationType().defaultValue(Duration.ofSeconds(30))
          .withDescription("A source split without records for this long stops holding back"
              + " the watermark.");

  // ---- output ----
  public static final ConfigOption<String> OUTPUT_TOPIC =
      key("output.topic").stringType().defaultValue("rerank.results")
          .withDescription("Topic for RerankResult records.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      key("output.dead-letter-topic").stringType().defaultValue("rerank.dead-letter")
          .withDescription("Topic for DeadLetter records (every input that could not be ranked).");

  public static final ConfigOption<String> OUTPUT_FORMAT =
      key("output.format").stringType().defaultValue("json")
          .withDescription("Encoding of results and dead letters: avro | json.");

  public static final ConfigOption<String> DELIVERY_GUARANTEE =
      key("output.delivery-guarantee").stringType().defaultValue("exactly-once")
          .withDescription("exactly-once (Kafka transactions committed on checkpoints; read with"
              + " isolation.level=read_committed) | at-least-once.");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      key("output.transactional-id-prefix").stringType().defaultValue("flink-reranker")
          .withDescription("Prefix of the Kafka transactional ids; must be unique per job"
              + " writing to the same cluster.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
      key("output.transaction-timeout").durationType().defaultValue(Duration.ofSeconds(60))
          .withDescription("Kafka transaction timeout; must not exceed the broker's"
              + " transaction.max.timeout.ms or the job restart-loops.");

  public static final ConfigOption<Boolean> OUTPUT_SOURCE_ATTRIBUTES =
      key("output.source-attributes").booleanType().defaultValue(false)
          .withDescription("Add where each result's input was read to its attributes:"
              + " source.topic, source.partition, source.offset (for file input: the file, 0 and"
              + " the line number). Replay turns it on: ordered output is sorted by it.");

  public static final ConfigOption<Integer> TEXT_MAX_CHARS =
      key("output.text-max-chars").intType().defaultValue(200)
          .withDescription("Candidate text copied into results: at most this many characters"
              + " (cut texts are flagged text_truncated); 0 copies none (ids only), -1 copies"
              + " whole texts. Results name candidates by id, so consumers that need the text"
              + " have it already; copying whole texts can make a result larger than the input.");

  public static final ConfigOption<Integer> MAX_OUTPUT_RECORD_BYTES =
      key("output.max-record-bytes").intType().defaultValue(1_000_000)
          .withDescription("Largest encoded result or dead letter the job writes; must stay"
              + " below the producer's max.request.size (kafka.properties.max.request.size,"
              + " default 1048576) and the topics' max.message.bytes. A result still larger"
              + " after cutting texts becomes a RESULT_TOO_LARGE dead letter.");

  public static final ConfigOption<Integer> DEAD_LETTER_MAX_PAYLOAD_BYTES =
      key("output.dead-letter-max-payload-bytes").intType().defaultValue(64 * 1024)
          .withDescription("A dead letter carries at most this many bytes of the raw record"
              + " (payload_truncated); its payload_size, payload_sha256 and source topic,"
              + " partition and offset find the whole record.");

  // ---- topics (created by `run` at start) ----
  public static final ConfigOption<Boolean> CREATE_TOPICS =
      key("kafka.create-topics").booleanType().defaultValue(true)
          .withDescription("At start, `run` creates the input, results and dead-letter topics that"
              + " do not exist yet (kafka.topic-partitions, kafka.topic-replication); existing"
              + " topics are never changed. false: a missing topic stops the job at once with"
              + " its name (for clusters where topics are managed elsewhere).");

  public static final ConfigOption<Integer> TOPIC_PARTITIONS =
      key("kafka.topic-partitions").intType().defaultValue(-1)
          .withDescription("Partitions of a topic that `run` creates; -1 uses the job's"
              + " parallelism, so that every source subtask has a partition to read.");

  public static final ConfigOption<Integer> TOPIC_REPLICATION =
      key("kafka.topic-replication").intType().defaultValue(-1)
          .withDescription("Replication factor of a topic that `run` creates; -1 uses the"
              + " broker's default.replication.factor.");

  public static final ConfigOption<Duration> ADMIN_TIMEOUT =
      key("kafka.admin-timeout").durationType().defaultValue(Duration.ofSeconds(30))
          .withDescription("How long `run` waits for Kafka when it checks and creates the topics"
              + " before it stops with an error naming kafka.bootstrap-servers.");

  // ---- replay (job.mode: replay) ----
  public static final ConfigOption<String> REPLAY_INPUT =
      key("replay.input").stringType().noDefaultValue()
          .withDescription("What to replay: kafka:TOPIC (a range of it, see replay.from/to), or"
              + " a file, directory or glob of CandidateSet logs: JSON lines (*.jsonl, *.json) or"
              + " Avro container files (*.avro), each optionally gzipped (*.gz). Several inputs"
              + " are separated by ';'.");

  public static final ConfigOption<String> REPLAY_OUTPUT =
      key("replay.output").stringType().noDefaultValue()
          .withDescription("Where results go: kafka:TOPIC (exactly-once KafkaSink; dead letters"
              + " to output.dead-letter-topic) or a directory (FileSink committed on checkpoints:"
              + " results/ and dead-letters/ part files, or results.jsonl|.avro and"
              + " dead-letters.jsonl|.avro with replay.ordered). Files are JSON lines or Avro"
              + " container files after output.format.");

  public static final ConfigOption<String> REPLAY_FROM =
      key("replay.from").stringType().noDefaultValue()
          .withDescription("Kafka input: first record timestamp to replay (inclusive), ISO-8601"
              + " such as 2026-11-01T00:00Z or epoch millis. Exclusive with replay.from-offsets.");

  public static final ConfigOption<String> REPLAY_TO =
      key("replay.to").stringType().noDefaultValue()
          .withDescription("Kafka input: record timestamp where the replay stops (exclusive),"
              + " ISO-8601 or epoch millis. Exclusive with replay.to-offsets.");

  public static final ConfigOption<String> REPLAY_FROM_OFFSETS =
      key("replay.from-offsets").stringType().defaultValue("earliest")
          .withDescription("Kafka input without replay.from: earliest | latest-at-start |"
              + " explicit offsets PARTITION:OFFSET,... (partitions not listed start at"
              + " earliest).");

  public static final ConfigOption<String> REPLAY_TO_OFFSETS =
      key("replay.to-offsets").stringType().defaultValue("latest-at-start")
          .withDescription("Kafka input without replay.to: latest-at-start (the end offsets when"
              + " the replay starts) | explicit offsets PARTITION:OFFSET,... (exclusive;"
              + " partitions not listed stop at latest-at-start).");

  public static final ConfigOption<Boolean> REPLAY_ORDERED =
      key("replay.ordered").booleanType().defaultValue(false)
          .withDescription("File output: after the job, merge the committed part files into one"
              + " file sorted by input position (source, partition, offset) in canonical form"
              + " (emitted_at = event_time, queue_millis = inference_millis = 0, dead letters'"
              + " failed_at = 0), so the same input and model give byte-identical files whatever"
              + " the parallelism or batch sizes.");

  public static final ConfigOption<String> REPLAY_REPORT =
      key("replay.report").stringType().noDefaultValue()
          .withDescription("Write the summary and evaluation report to this JSON file.");

  public static final ConfigOption<Duration> REPLAY_PROGRESS_INTERVAL =
      key("replay.progress-interval").durationType().defaultValue(Duration.ofSeconds(10))
          .withDescription("How often progress is logged when stderr is not a terminal (on a"
              + " terminal a progress bar is redrawn twice a second).");

  // ---- ranking ----
  public static final ConfigOption<Integer> TOP_K =
      key("ranking.top-k").intType().defaultValue(10)
          .withDescription("Candidates in a result's 'ranked' list when the request has no top_k.");

  // ---- batching / async ----
  public static final ConfigOption<Integer> BATCH_MAX_PAIRS =
      key("batch.max-pairs").intType().defaultValue(32)
          .withDescription("A micro-batch closes when it holds this many pairs.");

  public static final ConfigOption<Integer> BATCH_MAX_TOKENS =
      key("batch.max-tokens").intType().defaultValue(16384)
          .withDescription("A micro-batch closes before its padded size (pairs x longest) would"
              + " exceed this many tokens.");

  public static final ConfigOption<Duration> BATCH_MAX_WAIT =
      key("batch.max-wait").durationType().defaultValue(Duration.ofMillis(10))
          .withDescription("A micro-batch closes this long after its first pair arrived.");

  public static final ConfigOption<Integer> BATCH_CALL_COST_TOKENS =
      key("batch.call-cost-tokens").intType()
          .defaultValue(dev.flinkreranker.scoring.BatchSettings.DEFAULT_CALL_COST_TOKENS)
          .withDescription("What one scorer call costs beyond its tokens, in padded tokens: a"
              + " window of waiting pairs is split where that saves more padding than a call"
              + " costs. About 1024 for a small model on a CPU, tens for a 4B/8B model on a CPU;"
              + " batch.max-tokens or more on a GPU, where batches should be as full as possible.");

  public static final ConfigOption<Integer> BATCH_QUEUE_PAIRS =
      key("batch.queue-capacity").intType().defaultValue(4096)
          .withDescription("Pairs waiting for a batch per TaskManager; when full, subtasks block"
              + " and the source is backpressured.");

  public static final ConfigOption<Integer> ASYNC_CAPACITY =
      key("async.capacity").intType().defaultValue(64)
          .withDescription("In-flight requests per subtask (checkpointed by Flink's async"
              + " operator).");

  public static final ConfigOption<Duration> ASYNC_TIMEOUT =
      key("async.timeout").durationType().defaultValue(Duration.ofMinutes(2))
          .withDescription("Time a request may take, retries included, before it is"
              + " dead-lettered with TIMEOUT.");

  public static final ConfigOption<Integer> ASYNC_RETRIES =
      key("async.retries").intType().defaultValue(2)
          .withDescription("Retries of a request whose scoring failed transiently.");

  /** All options declared in this class, for validation and documentation. */
  public static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> options = new ArrayList<>();
    for (Field f : RerankOptions.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
        try {
          options.add((ConfigOption<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Collections.unmodifiableList(options);
  }
}
