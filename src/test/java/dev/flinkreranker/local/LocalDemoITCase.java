package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.config.JobConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The one-command demo, end to end: broker, MiniCluster, dashboard, samples, printed results. */
class LocalDemoITCase {

  @Test
  void localOnceRanksEverySampleAndServesTheDashboard() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Configuration conf = JobConfig.load(Path.of("job/local.yaml"), List.of("model.name=lexical"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
      try {
        return LocalDemo.run(new LocalDemo.Settings(conf, Path.of("job/samples"), port, true,
            Duration.ofMinutes(3), out, false, null));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });

    // The dashboard's REST API answers while the demo runs.
    HttpClient http = HttpClient.newHttpClient();
    boolean answered = false;
    while (!run.isDone() && !answered) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create("http://localhost:" + port + "/overview")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        answered = r.statusCode() == 200 && r.body().contains("flink-version");
      } catch (java.io.IOException e) {
        Thread.sleep(200);
      }
    }
    assertTrue(answered, "dashboard did not answer on :" + port);
    assertEquals(0, run.get(4, TimeUnit.MINUTES));

    String printed = bytes.toString(StandardCharsets.UTF_8);
    List<String> lines = Samples.load(Path.of("job/samples"));
    for (String id : List.of("sample-zh-en-error", "sample-zh-ja", "sample-long-en", "sample-ar",
        "sample-merge")) {
      assertTrue(printed.contains("━━ " + id), "no result printed for " + id + ":\n" + printed);
    }
    assertTrue(printed.contains("✗ dead letter NO_CANDIDATES"), printed);
    assertTrue(printed.contains("All " + lines.size() + " samples accounted for: "
        + (lines.size() - 1) + " results, 1 dead letter."), printed);
    // The merge question's best BM25 answer is the two-pointer merge.
    int merge = printed.indexOf("━━ sample-merge");
    assertTrue(printed.indexOf("★ top-1", merge) < printed.indexOf("sample-merge-d1", merge),
        printed.substring(merge));
  }
}
