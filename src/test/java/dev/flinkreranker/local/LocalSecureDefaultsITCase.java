package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.config.JobConfig;
import dev.flinkreranker.gateway.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * {@code local} with its defaults is reachable from this machine only, and nobody can run code in
 * it: every socket the demo opens listens on 127.0.0.1, and jar upload is refused.
 *
 * <p>Listening sockets are read from the kernel's own table ({@code /proc/self/net/tcp} and {@code
 * tcp6}), keeping those whose inode is one of this JVM's file descriptors and that were not there
 * before the demo started: no port probing, no guessing which ports Flink or Kafka use.
 */
class LocalSecureDefaultsITCase {
  private static final Pattern KAFKA = Pattern.compile("to Kafka at ([^:\\s]+):(\\d+)");

  @Test
  void everyListenerIsOnLoopbackJarUploadIsRefusedAndTheGatewayServesTheSeedClient()
      throws Exception {
    int port = freePort();
    int gatewayPort = freePort();
    Configuration conf = JobConfig.load(Path.of("job/local.yaml"), List.of("model.name=lexical"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PipedOutputStream typing = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(typing);
    Set<Long> before = listeningInodes().keySet();

    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
      try {
        return LocalDemo.run(new LocalDemo.Settings(conf, Path.of("job/samples"), port, false,
            Duration.ofMinutes(3), out, false, stdin, Ports.LOOPBACK, 0,
            new GatewayConfig().port(gatewayPort)));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      // Running until Ctrl-C: Kafka, the MiniCluster and its dashboard are all up.
      while (!bytes.toString(StandardCharsets.UTF_8).contains("Running until Ctrl-C")) {
        assertTrue(!run.isDone(), () -> "the demo ended: " + bytes.toString(StandardCharsets.UTF_8));
        Thread.sleep(100);
      }
      String printed = bytes.toString(StandardCharsets.UTF_8);
      Matcher kafka = KAFKA.matcher(printed);
      assertTrue(kafka.find(), printed);
      int kafkaPort = Integer.parseInt(kafka.group(2));

      List<String> opened = new ArrayList<>();
      List<String> exposed = new ArrayList<>();
      listeningInodes().forEach((inode, address) -> {
        if (!before.contains(inode)) {
          opened.add(address);
          if (!address.startsWith("127.0.0.1:") && !address.startsWith("[::1]:")) {
            exposed.add(address);
          }
        }
      });
      assertTrue(opened.contains("127.0.0.1:" + port), "dashboard not among " + opened);
      assertTrue(opened.contains("127.0.0.1:" + kafkaPort), "Kafka not among " + opened);
      assertTrue(opened.contains("127.0.0.1:" + gatewayPort), "gateway not among " + opened);
      assertEquals(List.of(), exposed, "listening beyond loopback; all opened: " + opened);

      // Whoever can upload a jar runs code in this JVM: upload and the jar API are off.
      HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
              .header("Content-Type", "multipart/form-data; boundary=b")
              .POST(HttpRequest.BodyPublishers.ofString("--b\r\nContent-Disposition: form-data;"
                  + " name=\"jarfile\"; filename=\"evil.jar\"\r\nContent-Type:"
                  + " application/x-java-archive\r\n\r\nPK\r\n--b--\r\n"))
              .build(), HttpResponse.BodyHandlers.ofString());
      // Flink refuses the multipart POST itself (400 "POST request not allowed") before routing.
      assertTrue(upload.statusCode() == 400 || upload.statusCode() == 404,
          "jar upload answered " + upload.statusCode() + ": " + upload.body());
      HttpResponse<String> jars = get(http, base + "/jars");
      assertEquals(404, jars.statusCode(), "jar list answered: " + jars.body());
      HttpResponse<String> config = get(http, base + "/config");
      assertTrue(config.body().contains("\"web-submit\":false"), config.body());

      // The seed's page posts this to its vLLM server; local answers it unchanged, and the TEI
      // and vLLM score dialects too, each through the job.
      String gateway = "http://127.0.0.1:" + gatewayPort;
      JsonNode seed = post(http, gateway + "/v1/rerank", "{\"model\": \"qwen3-reranker-8b\","
          + " \"query\": \"fastest way to merge two sorted lists in Python\", \"documents\":"
          + " [\"list1 + list2\", \"heapq.merge(list1, list2)\"], \"return_documents\": true}");
      assertEquals(2, seed.get("results").size(), seed.toString());
      assertEquals("heapq.merge(list1, list2)",
          seed.get("results").get(0).get("document").get("text").asText(), seed.toString());
      JsonNode tei = post(http, gateway + "/rerank",
          "{\"query\": \"merge sorted lists\", \"texts\": [\"a merge\", \"sorted lists merge\"]}");
      assertEquals(2, tei.size(), tei.toString());
      JsonNode score = post(http, gateway + "/v1/score", "{\"model\": \"qwen3-reranker-8b\","
          + " \"text_1\": \"merge sorted lists\", \"text_2\": [\"a merge\", \"lists\"]}");
      assertEquals(2, score.get("data").size(), score.toString());

    } finally {
      stop(run, typing, port);
    }
  }

  /**
   * Ends the demo as a user would: end of stdin, then the job cancelled from the dashboard
   * (cancelling stays enabled; it stops only the demo).
   */
  private static void stop(CompletableFuture<Integer> run, PipedOutputStream typing, int port)
      throws Exception {
    typing.close();
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    Matcher id = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(get(http, base + "/jobs").body());
    while (id.find()) {
      http.send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id.group(1) + "?mode=cancel"))
          .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    try {
      run.get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      // the demo ends with its cancelled job's cancellation
    }
  }

  private static JsonNode post(HttpClient http, String url, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return new ObjectMapper().readTree(r.body());
  }

  private static HttpResponse<String> get(HttpClient http, String url)
      throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** inode → "address:port" of every TCP socket of this process in state LISTEN. */
  static java.util.Map<Long, String> listeningInodes() throws IOException {
    Set<Long> mine = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            mine.add(Long.parseLong(target.substring(8, target.length() - 1)));
          }
        } catch (IOException e) {
          // closed meanwhile (the fd of the directory listing itself, for one)
        }
      }
    }
    java.util.Map<Long, String> listening = new java.util.TreeMap<>();
    for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        long inode = Long.parseLong(f[9]);
        if (f[3].equals("0A") && mine.contains(inode)) { // 0A: TCP_LISTEN
          listening.put(inode, address(f[1]));
        }
      }
    }
    return listening;
  }

  /** The kernel's "0100007F:1F90" / 32-hex-digit IPv6 form as "127.0.0.1:8080" / "[::1]:8080". */
  static String address(String hex) {
    String[] ipPort = hex.split(":");
    int port = Integer.parseInt(ipPort[1], 16);
    String ip = ipPort[0];
    byte[] b = new byte[ip.length() / 2];
    // Each 32-bit word is in host (little-endian) order.
    for (int word = 0; word < b.length / 4; word++) {
      for (int i = 0; i < 4; i++) {
        int at = word * 8 + (3 - i) * 2;
        b[word * 4 + i] = (byte) Integer.parseInt(ip.substring(at, at + 2), 16);
      }
    }
    try {
      java.net.InetAddress a = java.net.InetAddress.getByAddress(b);
      String text = a.getHostAddress();
      if (a instanceof java.net.Inet6Address) {
        text = text.equals("0:0:0:0:0:0:0:1") ? "::1" : text.equals("0:0:0:0:0:0:0:0") ? "::" : text;
        return "[" + text + "]:" + port;
      }
      return text + ":" + port;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
