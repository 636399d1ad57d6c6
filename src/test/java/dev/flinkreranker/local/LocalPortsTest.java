package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** A port of {@code local} that is taken: one line naming it and the option, before anything starts. */
class LocalPortsTest {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private LocalDemo.Settings settings(int dashboardPort, int kafkaPort) {
    Configuration conf = JobConfig.load(Path.of("job/local.yaml"), List.of("model.name=lexical"));
    return new LocalDemo.Settings(conf, Path.of("job/samples"), dashboardPort, true,
        Duration.ofMinutes(1), new PrintStream(printed, true, StandardCharsets.UTF_8), false, null,
        Ports.LOOPBACK, kafkaPort);
  }

  private static ServerSocket taken() throws Exception {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return s;
  }

  @Test
  void aTakenDashboardPortNamesThePortAndTheOption() throws Exception {
    try (ServerSocket busy = taken()) {
      int port = busy.getLocalPort();
      Exception e = assertThrows(Exception.class, () -> LocalDemo.run(settings(port, 0)));

      assertTrue(e.getMessage().contains("port " + port + " "), e.getMessage());
      assertTrue(e.getMessage().contains("--dashboard-port"), e.getMessage());
      assertTrue(!printed.toString(StandardCharsets.UTF_8).contains("Starting"),
          "something was started first: " + printed);
    }
  }

  @Test
  void aTakenKafkaPortNamesThePortAndTheOption() throws Exception {
    try (ServerSocket busy = taken(); ServerSocket free = taken()) {
      int dashboard = free.getLocalPort();
      free.close();
      int port = busy.getLocalPort();
      Exception e = assertThrows(Exception.class, () -> LocalDemo.run(settings(dashboard, port)));

      assertTrue(e.getMessage().contains("port " + port + " "), e.getMessage());
      assertTrue(e.getMessage().contains("--kafka-port"), e.getMessage());
    }
  }

  @Test
  void theGatewayCanCheckItsPortTheSameWay() throws Exception {
    try (ServerSocket busy = taken()) {
      int port = busy.getLocalPort();
      Ports.PortInUseException e = assertThrows(Ports.PortInUseException.class,
          () -> Ports.requireFree(Ports.LOOPBACK, port, "the HTTP gateway", "--gateway-port"));

      assertTrue(e.getMessage().startsWith("port " + port + " on 127.0.0.1 (the HTTP gateway) is"
          + " already in use"), e.getMessage());
      assertTrue(e.getMessage().contains("--gateway-port"), e.getMessage());
    }
  }
}
