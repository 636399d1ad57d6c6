package dev.flinkreranker.replay;

import dev.flinkreranker.avro.DeadLetter;
import dev.flinkreranker.avro.RerankResult;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.KafkaFactory;
import dev.flinkreranker.kafka.RawRecordDeserializer;
import dev.flinkreranker.kafka.RecordEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/** The bounded sources and the exactly-once sinks of a replay. */
public final class ReplayIo {
  private ReplayIo() {}

  public static final String RESULTS_DIR = "results";
  public static final String DEAD_LETTERS_DIR = "dead-letters";

  /** A bounded input: the source, how many records it holds, and how its values are encoded. */
  public record Input(Source<RawRecord, ?, ?> source, long records,
      CandidateSetCodec.Format format, String description) {}

  /** The replay's input; a Kafka range is resolved against the broker now. */
  public static Input input(ReplaySpec spec, Configuration conf) {
    if (spec.input().isKafka()) {
      return kafka(spec, conf);
    }
    List<Path> files = LogFiles.expand(spec.input().paths());
    LogFiles.Format format = LogFiles.commonFormat(files);
    long records = 0;
    for (Path f : files) {
      records += LogFiles.countRecords(f);
    }
    org.apache.flink.core.fs.Path[] paths = files.stream()
        .map(p -> new org.apache.flink.core.fs.Path(p.toUri()))
        .toArray(org.apache.flink.core.fs.Path[]::new);
    FileSource<RawRecord> source =
        FileSource.forBulkFileFormat(
            new CandidateLogFormat(conf.get(RerankOptions.MAX_RECORD_BYTES)), paths).build();
    return new Input(source, records,
        format == LogFiles.Format.AVRO_CONTAINER
            ? CandidateSetCodec.Format.AVRO : CandidateSetCodec.Format.JSON,
        files.size() + (files.size() == 1 ? " file" : " files") + " (" + spec.input() + ")");
  }

  private static Input kafka(ReplaySpec spec, Configuration conf) {
    String bootstrap = conf.get(RerankOptions.BOOTSTRAP_SERVERS);
    Properties props = KafkaFactory.clientProperties(conf);
    KafkaRange range = KafkaRange.resolve(bootstrap, props, spec.input().topic(), spec.from(),
        spec.to());
    props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // A replay must not move the production consumer group's offsets.
    props.setProperty("commit.offsets.on.checkpoint", "false");
    KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(range.topic())
        .setGroupId(conf.get(RerankOptions.GROUP_ID) + "-replay")
        .setStartingOffsets(OffsetsInitializer.offsets(partitionMap(range.topic(), range.start())))
        .setBounded(OffsetsInitializer.offsets(partitionMap(range.topic(), range.stop())))
        .setDeserializer(new RawRecordDeserializer())
        .setProperties(props)
        .build();
    return new Input(source, range.size(),
        CandidateSetCodec.Format.parse(conf.get(RerankOptions.INPUT_FORMAT)),
        "kafka:" + range.topic() + " offsets " + range.start() + " to " + range.stop());
  }

  private static Map<TopicPartition, Long> partitionMap(String topic, Map<Integer, Long> offsets) {
    Map<TopicPartition, Long> m = new java.util.HashMap<>();
    offsets.forEach((p, o) -> m.put(new TopicPartition(topic, p), o));
    return m;
  }

  /** The sinks of results and dead letters. */
  public record Sinks(Sink<RerankResult> results, Sink<DeadLetter> deadLetters) {}

  public static Sinks sinks(ReplaySpec spec, Configuration conf) {
    if (spec.output().isKafka()) {
      Configuration c = new Configuration(conf);
      c.set(RerankOptions.OUTPUT_TOPIC, spec.output().topic());
      return new Sinks(KafkaFactory.resultSink(c), KafkaFactory.deadLetterSink(c));
    }
    Path dir = outputDirectory(spec.output().paths().get(0));
    requireEmpty(dir);
    CandidateSetCodec.Format format =
        CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT));
    return new Sinks(
        fileSink(dir.resolve(RESULTS_DIR), RerankResult.class, format),
        fileSink(dir.resolve(DEAD_LETTERS_DIR), DeadLetter.class, format));
  }

  public static Path outputDirectory(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }

  /** The output directory must be new or empty, so that no earlier output mixes in. */
  static void requireEmpty(Path dir) {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("replay output directory " + dir
              + " is not empty; give a new directory");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static String extension(CandidateSetCodec.Format format) {
    return format == CandidateSetCodec.Format.AVRO ? ".avro" : ".jsonl";
  }

  /**
   * Part files committed on checkpoints (and at the end of input): exactly-once, since a part file
   * only becomes visible (loses its leading '.' and .inprogress suffix) when the checkpoint that
   * covers its records completes.
   */
  static <T extends SpecificRecordBase> FileSink<T> fileSink(Path dir, Class<T> type,
      CandidateSetCodec.Format format) {
    org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(dir.toUri());
    OutputFileConfig names = OutputFileConfig.builder()
        .withPartPrefix("part").withPartSuffix(extension(format)).build();
    if (format == CandidateSetCodec.Format.AVRO) {
      return FileSink.forBulkFormat(path, AvroWriters.forSpecificRecord(type))
          .withBucketAssigner(new BasePathBucketAssigner<>())
          .withOutputFileConfig(names)
          .build();
    }
    return FileSink.forRowFormat(path, new JsonLinesEncoder<T>())
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withRollingPolicy(OnCheckpointRollingPolicy.build())
        .withOutputFileConfig(names)
        .build();
  }

  /** One plain-JSON record per line (the Kafka JSON encoding). */
  static final class JsonLinesEncoder<T extends GenericRecord> implements Encoder<T> {
    @Override
    public void encode(T element, OutputStream stream) throws IOException {
      stream.write(RecordEncoding.json(element));
      stream.write('\n');
    }
  }
}
