package dev.flinkreranker.job;

import dev.flinkreranker.config.RerankOptions;
import dev.flinkreranker.kafka.CandidateSetCodec;
import dev.flinkreranker.kafka.KafkaFactory;
import java.io.Serializable;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What bounds the records the job writes, so that no result or dead letter can be larger than the
 * sink accepts (a record over the producer's {@code max.request.size} fails the writer and the job
 * restart-loops on it).
 *
 * @param textMaxChars candidate text copied into results ({@code output.text-max-chars}; -1 all)
 * @param maxRecordBytes largest encoded result ({@code output.max-record-bytes})
 * @param format encoding of results and dead letters ({@code output.format})
 * @param deadLetterMaxPayloadBytes raw bytes kept in a dead letter
 */
public record OutputLimits(int textMaxChars, int maxRecordBytes, CandidateSetCodec.Format format,
    int deadLetterMaxPayloadBytes) implements Serializable {

  /** Room in a dead letter for everything but the payload: key, reason, ids, source, times. */
  static final int DEAD_LETTER_OVERHEAD_BYTES = 16 * 1024;

  /** Producer default of {@code max.request.size}. */
  private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

  public OutputLimits {
    if (textMaxChars < -1) {
      throw new IllegalArgumentException(
          "output.text-max-chars must be -1 (whole texts), 0 (none) or more, got " + textMaxChars);
    }
    if (maxRecordBytes < 1024) {
      throw new IllegalArgumentException(
          "output.max-record-bytes must be at least 1024, got " + maxRecordBytes);
    }
    // JSON writes the payload as base64: 4 bytes for every 3.
    long deadLetterBytes = (deadLetterMaxPayloadBytes + 2L) / 3 * 4 + DEAD_LETTER_OVERHEAD_BYTES;
    if (deadLetterMaxPayloadBytes < 0 || deadLetterBytes > maxRecordBytes) {
      throw new IllegalArgumentException("output.dead-letter-max-payload-bytes="
          + deadLetterMaxPayloadBytes + " does not fit in output.max-record-bytes=" + maxRecordBytes
          + " (a dead letter needs up to 4/3 of its payload plus " + DEAD_LETTER_OVERHEAD_BYTES
          + " bytes); lower it to at most "
          + Math.max(0, (maxRecordBytes - DEAD_LETTER_OVERHEAD_BYTES) / 4 * 3));
    }
  }

  /** Reads the limits and checks them against the Kafka producer's {@code max.request.size}. */
  public static OutputLimits from(Configuration conf) {
    OutputLimits limits = new OutputLimits(conf.get(RerankOptions.TEXT_MAX_CHARS),
        conf.get(RerankOptions.MAX_OUTPUT_RECORD_BYTES),
        CandidateSetCodec.Format.parse(conf.get(RerankOptions.OUTPUT_FORMAT)),
        conf.get(RerankOptions.DEAD_LETTER_MAX_PAYLOAD_BYTES));
    String requestSize = KafkaFactory.clientProperties(conf)
        .getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    long maxRequest = requestSize == null ? DEFAULT_MAX_REQUEST_SIZE : Long.parseLong(requestSize.trim());
    // A record batch adds its own headers, and the key (the request id) travels beside the value.
    if (limits.maxRecordBytes() + 8 * 1024L > maxRequest) {
      throw new IllegalArgumentException("output.max-record-bytes=" + limits.maxRecordBytes()
          + " leaves no room below the producer's max.request.size=" + maxRequest
          + " (needs 8 KiB for the key and record headers): lower output.max-record-bytes or raise"
          + " kafka.properties.max.request.size (and the topics' max.message.bytes)");
    }
    return limits;
  }

  public DeadLetters deadLetters() {
    return new DeadLetters(deadLetterMaxPayloadBytes);
  }
}
