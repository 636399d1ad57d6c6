package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Dropped connections, partial files from earlier runs, corrupted content, atomic visibility. */
class DownloadIntegrityTest {
  @TempDir Path cacheDir;
  @RegisterExtension final FakeHub hub = FakeHub.started();
  private Map<String, byte[]> files;
  private String weightsSha;

  @BeforeEach
  void start() throws IOException {
    files = TestModels.singleFile(11);
    weightsSha = FakeHub.sha256(files.get("model.safetensors"));
    hub.addRepo("org/tiny", TestModels.COMMIT, files);
  }

  private ModelResolver resolver() {
    return new ModelResolver(new HubOptions(hub.endpoint(), null, false, cacheDir, ProgressSink.NONE));
  }

  private Path blobs() {
    return cacheDir.resolve("models--org--tiny/blobs");
  }

  @Test
  void droppedConnectionResumesWithRangeAndTheChecksumMatches() throws IOException {
    hub.dropConnections(1, 70_000);

    ResolvedModel m = resolver().resolve("org/tiny");

    byte[] weights = Files.readAllBytes(m.dir().resolve("model.safetensors"));
    assertArrayEquals(files.get("model.safetensors"), weights);
    assertEquals(weightsSha, FakeHub.sha256(weights));
    List<FakeHub.Request> gets = hub.requestsTo("cdn");
    assertEquals(2, gets.size(), "first attempt dropped, second resumed: " + gets);
    assertEquals(null, gets.get(0).range());
    // The client keeps what reached it before the drop (at most what the server sent) and asks for
    // the rest, instead of starting over.
    long resumedAt = rangeStart(gets.get(1));
    assertTrue(resumedAt > 0 && resumedAt <= 70_000, "resumes where the drop left off: " + gets.get(1));
    assertFalse(Files.exists(blobs().resolve(weightsSha + ".incomplete")));
  }

  @Test
  void repeatedDropsStillComplete() throws IOException {
    hub.dropConnections(3, 50_000);

    ResolvedModel m = resolver().resolve("org/tiny");

    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(m.dir().resolve("model.safetensors")));
    List<FakeHub.Request> gets = hub.requestsTo("cdn");
    assertEquals(4, gets.size(), "three drops, then the rest: " + gets);
    long previous = 0;
    for (FakeHub.Request resumed : gets.subList(1, 4)) {
      long start = rangeStart(resumed);
      assertTrue(start > previous && start <= previous + 50_000, "each attempt continues the last: " + gets);
      previous = start;
    }
  }

  @Test
  void stalledTransferIsDroppedAndResumed() throws IOException {
    // The CDN sends half of the weights and then nothing, without closing the connection.
    hub.pauseHalfWay(weightsSha);
    HubOptions options = new HubOptions(hub.endpoint(), null, false, cacheDir, ProgressSink.NONE, Duration.ofMillis(300));

    ResolvedModel m = new ModelResolver(options).resolve("org/tiny");

    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(m.dir().resolve("model.safetensors")));
    List<FakeHub.Request> gets = hub.requestsTo("cdn");
    assertEquals(2, gets.size(), "the stalled request, then a resumed one: " + gets);
    assertTrue(rangeStart(gets.get(1)) > 0, "resumed, not restarted: " + gets.get(1));
  }

  @Test
  void partialFileOfAnEarlierRunIsResumed() throws IOException {
    Files.createDirectories(blobs());
    byte[] prefix = Arrays.copyOf(files.get("model.safetensors"), 123_456);
    Files.write(blobs().resolve(weightsSha + ".incomplete"), prefix);

    ResolvedModel m = resolver().resolve("org/tiny");

    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(m.dir().resolve("model.safetensors")));
    assertEquals(List.of("bytes=123456-"), hub.requestsTo("cdn").stream().map(FakeHub.Request::range).collect(Collectors.toList()));
  }

  @Test
  void corruptedPartialOfAnEarlierRunIsRejectedNotTrusted() throws IOException {
    Files.createDirectories(blobs());
    Files.write(blobs().resolve(weightsSha + ".incomplete"), new byte[100_000]); // zeros, not the file's prefix

    HubException e = assertThrows(HubException.class, () -> resolver().resolve("org/tiny"));

    assertEquals(HubException.Reason.CHECKSUM_MISMATCH, e.reason());
    assertFalse(Files.exists(blobs().resolve(weightsSha + ".incomplete")), "bad partial removed");
    // The next run starts from scratch and succeeds.
    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(resolver().resolve("org/tiny").dir().resolve("model.safetensors")));
  }

  @Test
  void corruptedDownloadIsRemovedAndNeverLinked() throws IOException {
    hub.corrupted.add(weightsSha);

    HubException e = assertThrows(HubException.class, () -> resolver().resolve("org/tiny"));

    assertEquals(HubException.Reason.CHECKSUM_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("removed"), e.getMessage());
    try (Stream<Path> s = Files.list(blobs())) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(weightsSha)), "no blob and no partial left");
    }
    Path snapshot = cacheDir.resolve("models--org--tiny/snapshots").resolve(TestModels.COMMIT);
    assertFalse(Files.exists(snapshot.resolve("model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(cacheDir.resolve("models--org--tiny/refs/main")));
    assertTrue(resolver().findCached("org/tiny").isEmpty());

    hub.corrupted.clear();
    assertTrue(ModelFiles.missing(resolver().resolve("org/tiny").dir()).isEmpty());
  }

  @Test
  void nothingAppearsUnderSnapshotsUntilTheFileIsComplete() throws Exception {
    hub.pauseHalfWay(weightsSha);
    CompletableFuture<ResolvedModel> running = CompletableFuture.supplyAsync(() -> resolver().resolve("org/tiny"));
    hub.pauseReached.await();

    Path snapshot = cacheDir.resolve("models--org--tiny/snapshots").resolve(TestModels.COMMIT);
    assertFalse(Files.exists(snapshot.resolve("model.safetensors"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(blobs().resolve(weightsSha)), "final blob name only when complete");
    assertFalse(Files.exists(cacheDir.resolve("models--org--tiny/refs/main")), "ref only for a complete snapshot");
    assertTrue(resolver().findCached("org/tiny").isEmpty());

    hub.pauseRelease.countDown();
    ResolvedModel m = running.get();
    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(m.dir().resolve("model.safetensors")));
  }

  private static long rangeStart(FakeHub.Request r) {
    assertTrue(r.range() != null && r.range().startsWith("bytes=") && r.range().endsWith("-"), "a Range request: " + r);
    return Long.parseLong(r.range().substring(6, r.range().length() - 1));
  }
}
