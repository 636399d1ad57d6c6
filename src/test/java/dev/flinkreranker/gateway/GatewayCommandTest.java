package dev.flinkreranker.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The gateway command's answer to a port in use: one line naming the port and the option. */
class GatewayCommandTest {
  @Test
  void aPortInUseIsNamedWithTheOptionToChangeIt() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int rc = Main.run("gateway", "--port", Integer.toString(busy.getLocalPort()),
          "--set", "kafka.bootstrap-servers=127.0.0.1:1");
      assertEquals(1, rc);
    } finally {
      System.setErr(err);
    }
    String message = captured.toString(StandardCharsets.UTF_8);
    assertTrue(message.startsWith("error: cannot listen on 127.0.0.1:"), message);
    assertTrue(message.contains("--port N"), message);
    assertEquals(1, message.strip().lines().count(), "one line, no stack trace: " + message);
  }
}
