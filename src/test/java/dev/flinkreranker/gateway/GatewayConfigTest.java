package dev.flinkreranker.gateway;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  @Test
  void listeningBeyondLoopbackComesWithAWarning() {
    assertNull(new GatewayConfig().exposureWarning(), "127.0.0.1 by default, no warning");
    assertNull(new GatewayConfig().host("localhost").exposureWarning());
    String open = new GatewayConfig().host("0.0.0.0").port(8000).exposureWarning();
    assertTrue(open != null && open.startsWith("WARNING") && open.contains("0.0.0.0:8000"), open);
  }
}
