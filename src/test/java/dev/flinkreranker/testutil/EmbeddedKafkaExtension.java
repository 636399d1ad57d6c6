package dev.flinkreranker.testutil;

import dev.flinkreranker.local.EmbeddedKafka;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real KRaft broker for the tests of one class: {@code @RegisterExtension static final ...}. */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
  private final java.util.Map<String, String> brokerProperties;
  private EmbeddedKafka kafka;

  public EmbeddedKafkaExtension() {
    this(java.util.Map.of());
  }

  /** A broker with these settings added to (or overriding) the embedded defaults. */
  public EmbeddedKafkaExtension(java.util.Map<String, String> brokerProperties) {
    this.brokerProperties = brokerProperties;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    kafka = EmbeddedKafka.start(Files.createTempDirectory("kafka-" + context.getDisplayName()),
        brokerProperties);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (kafka != null) {
      kafka.close();
    }
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }
}
