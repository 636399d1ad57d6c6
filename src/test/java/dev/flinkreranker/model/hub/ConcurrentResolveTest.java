package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Several resolvers on one cache: every file is downloaded once and everyone gets a complete copy. */
class ConcurrentResolveTest {
  @TempDir Path cacheDir;
  @RegisterExtension final FakeHub hub = FakeHub.started();
  private Map<String, byte[]> files;

  @BeforeEach
  void start() throws IOException {
    files = TestModels.sharded(21);
    hub.addRepo("org/sharded", TestModels.COMMIT, files);
  }

  private ResolvedModel resolve() {
    // A paused transfer must stay paused until the test releases it, however slow the machine.
    HubOptions options = new HubOptions(hub.endpoint(), null, false, cacheDir, ProgressSink.NONE, Duration.ofMinutes(10));
    return new ModelResolver(options).resolve("org/sharded");
  }

  private void assertEveryFileFetchedOnce() {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      long gets =
          FakeHub.isLfs(f.getKey(), f.getValue())
              ? hub.count("cdn", "GET", FakeHub.sha256(f.getValue()))
              : hub.count("hub", "GET", "/resolve/" + TestModels.COMMIT + "/" + f.getKey());
      assertEquals(1, gets, f.getKey() + " downloaded once");
    }
  }

  private void assertComplete(ResolvedModel m) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      assertArrayEquals(f.getValue(), Files.readAllBytes(m.dir().resolve(f.getKey())), f.getKey());
    }
  }

  @Test
  void threadsResolvingTogetherDownloadOnce() throws Exception {
    // One shard pauses half-way, so the other threads arrive while its download is in progress.
    hub.pauseHalfWay(FakeHub.sha256(files.get("model-00001-of-00002.safetensors")));
    int threads = 4;
    CyclicBarrier together = new CyclicBarrier(threads);
    List<CompletableFuture<ResolvedModel>> running = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      running.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  together.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return resolve();
              }));
    }
    hub.pauseReached.await();
    hub.pauseRelease.countDown();

    for (CompletableFuture<ResolvedModel> r : running) {
      ResolvedModel m = r.get();
      assertEquals(cacheDir.toAbsolutePath().resolve("models--org--sharded/snapshots").resolve(TestModels.COMMIT), m.dir());
      assertComplete(m);
    }
    assertEveryFileFetchedOnce();
  }

  @Test
  void anotherProcessWaitsForTheDownloadInProgressInsteadOfRepeatingIt() throws Exception {
    hub.pauseHalfWay(FakeHub.sha256(files.get("model-00001-of-00002.safetensors")));
    CompletableFuture<ResolvedModel> here = CompletableFuture.supplyAsync(this::resolve);
    hub.pauseReached.await(); // this JVM holds the shard's lock, half-way through it

    Process other =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ResolveInAnotherJvm.class.getName(),
                hub.endpoint(),
                cacheDir.toString(),
                "org/sharded")
            .redirectErrorStream(true)
            .start();
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
        if (line.contains("another process is downloading the same file")) {
          hub.pauseRelease.countDown(); // it is blocked on our file lock: let our download finish
        }
      }
    }
    assertEquals(0, other.waitFor(), String.join("\n", output));
    assertTrue(output.stream().anyMatch(l -> l.contains("another process is downloading")), String.join("\n", output));
    assertTrue(output.get(output.size() - 1).startsWith("resolved "), String.join("\n", output));
    assertComplete(here.get());
    assertEveryFileFetchedOnce();
  }
}
