package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Offline mode, an unreachable hub, and the hub's error answers, each with actionable advice. */
class OfflineAndErrorsTest {
  @TempDir Path cacheDir;
  @RegisterExtension final FakeHub hub = FakeHub.started();

  private ModelResolver resolver(boolean offline, String token) {
    return new ModelResolver(new HubOptions(hub.endpoint(), token, offline, cacheDir, ProgressSink.NONE));
  }

  /** An endpoint where nothing listens: the port was free a moment ago. */
  private static String deadEndpoint() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void offlineUsesACacheWrittenByPythonToolsWithoutAnyRequest() throws IOException {
    Path snapshot = TestModels.writePythonCache(cacheDir, "Qwen/Qwen3-Reranker-0.6B", TestModels.COMMIT, TestModels.singleFile(1));

    ResolvedModel byBranch = resolver(true, null).resolve("Qwen/Qwen3-Reranker-0.6B");
    ResolvedModel byCommit = resolver(true, null).resolve("Qwen/Qwen3-Reranker-0.6B@" + TestModels.COMMIT);

    assertEquals(snapshot, byBranch.dir());
    assertEquals(TestModels.COMMIT, byBranch.commit());
    assertEquals(snapshot, byCommit.dir());
    assertEquals(0, hub.requests.size(), "offline must not touch the network");
  }

  @Test
  void offlineWithoutTheModelSaysHowToGetIt() {
    HubException e = assertThrows(HubException.class, () -> resolver(true, null).resolve("org/absent"));

    assertEquals(HubException.Reason.NOT_CACHED, e.reason());
    assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    assertTrue(e.getMessage().contains("models download"), e.getMessage());
    assertTrue(e.getMessage().contains(cacheDir.toAbsolutePath().toString()), e.getMessage());
    assertEquals(0, hub.requests.size());
  }

  @Test
  void offlineRejectsASnapshotWhoseWeightsAreMissing() throws IOException {
    Map<String, byte[]> files = TestModels.sharded(2);
    Path snapshot = TestModels.writePythonCache(cacheDir, "org/sharded", TestModels.COMMIT, files);
    Files.delete(snapshot.resolve("model-00002-of-00002.safetensors"));

    HubException e = assertThrows(HubException.class, () -> resolver(true, null).resolve("org/sharded"));

    assertEquals(HubException.Reason.NOT_CACHED, e.reason());
    assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
  }

  @Test
  void unreachableHubFallsBackToACompleteCachedSnapshot() throws IOException {
    Path snapshot = TestModels.writePythonCache(cacheDir, "org/tiny", TestModels.COMMIT, TestModels.singleFile(3));
    ModelResolver r = new ModelResolver(new HubOptions(deadEndpoint(), null, false, cacheDir, ProgressSink.NONE));

    assertEquals(snapshot, r.resolve("org/tiny").dir());
  }

  @Test
  void unreachableHubWithoutCacheExplainsTheOfflineOptions() throws IOException {
    ModelResolver r = new ModelResolver(new HubOptions(deadEndpoint(), null, false, cacheDir, ProgressSink.NONE));

    HubException e = assertThrows(HubException.class, () -> r.resolve("org/tiny"));

    assertEquals(HubException.Reason.NETWORK, e.reason());
    assertTrue(e.getMessage().contains("models download"), e.getMessage());
    assertTrue(e.getMessage().contains("HF_HUB_CACHE"), e.getMessage());
    assertTrue(e.getMessage().contains("--model"), e.getMessage());
  }

  @Test
  void tryResolveReportsTheReasonInsteadOfThrowing() throws IOException {
    Resolution failed = resolver(true, null).tryResolve("Qwen/Qwen3-Reranker-0.6B");
    assertFalse(failed.resolved());
    assertEquals(HubException.Reason.NOT_CACHED, failed.reason().orElseThrow());
    assertTrue(failed.model().isEmpty());

    TestModels.writePythonCache(cacheDir, "Qwen/Qwen3-Reranker-0.6B", TestModels.COMMIT, TestModels.singleFile(4));
    Resolution ok = resolver(true, null).tryResolve("Qwen/Qwen3-Reranker-0.6B");
    assertTrue(ok.resolved());
    assertEquals(TestModels.COMMIT, ok.model().orElseThrow().commit());
    assertTrue(ok.reason().isEmpty());
  }

  @Test
  void findCachedNeverTouchesTheNetwork() throws IOException {
    assertTrue(resolver(false, null).findCached("org/tiny").isEmpty());
    TestModels.writePythonCache(cacheDir, "org/tiny", TestModels.COMMIT, TestModels.singleFile(5));
    assertEquals(TestModels.COMMIT, resolver(false, null).findCached("org/tiny").orElseThrow().commit());
    assertEquals(0, hub.requests.size());
  }

  @Test
  void unknownRepository() {
    HubException e = assertThrows(HubException.class, () -> resolver(false, null).resolve("org/nope"));

    assertEquals(HubException.Reason.REPO_NOT_FOUND, e.reason());
    assertTrue(e.getMessage().contains("org/nope"), e.getMessage());
    assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
  }

  @Test
  void unknownRevision() {
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(6));

    HubException e = assertThrows(HubException.class, () -> resolver(false, null).resolve("org/tiny@no-such-branch"));

    assertEquals(HubException.Reason.REVISION_NOT_FOUND, e.reason());
    assertTrue(e.getMessage().contains("no-such-branch"), e.getMessage());
  }

  @Test
  void gatedRepositoryWithoutTokenSaysSetHfTokenAndAcceptTheTerms() {
    hub.addRepo("org/gated", TestModels.COMMIT, TestModels.singleFile(7)).gated = true;

    HubException e = assertThrows(HubException.class, () -> resolver(false, null).resolve("org/gated"));

    assertEquals(HubException.Reason.GATED, e.reason());
    assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
    assertTrue(e.getMessage().contains("accept"), e.getMessage());
    assertFalse(Files.exists(cacheDir.resolve("models--org--gated/refs/main")), "no ref to an incomplete snapshot");
  }

  @Test
  void gatedRepositoryWithAWrongTokenSaysTheTokenWasRefused() {
    hub.addRepo("org/gated", TestModels.COMMIT, TestModels.singleFile(9)).gated = true;

    HubException e = assertThrows(HubException.class, () -> resolver(false, "hf_wrong").resolve("org/gated"));

    assertEquals(HubException.Reason.GATED, e.reason());
    assertTrue(e.getMessage().contains("HF_TOKEN was refused"), e.getMessage());
  }

  @Test
  void gatedRepositoryWithTokenDownloadsAndTheTokenNeverLeavesTheHub() {
    hub.addRepo("org/gated", TestModels.COMMIT, TestModels.singleFile(8)).gated = true;

    ResolvedModel m = resolver(false, FakeHub.TOKEN).resolve("org/gated");

    assertTrue(ModelFiles.missing(m.dir()).isEmpty());
    assertTrue(hub.requestsTo("hub").stream().allMatch(r -> ("Bearer " + FakeHub.TOKEN).equals(r.authorization())));
    assertFalse(hub.requestsTo("cdn").isEmpty());
    assertTrue(hub.requestsTo("cdn").stream().allMatch(r -> r.authorization() == null), "no Authorization to the CDN");
  }

  @Test
  void diskFullIsRecognisedWhereverTheJdkPutsIt() {
    IOException full = new IOException("write failed", new IOException("No space left on device"));

    HubException e = HubException.fromLocalIo("cannot store model.safetensors", full);

    assertEquals(HubException.Reason.DISK_FULL, e.reason());
    assertTrue(e.getMessage().contains("HF_HUB_CACHE"), e.getMessage());
    assertEquals(HubException.Reason.IO, HubException.fromLocalIo("x", new IOException("Permission denied")).reason());
  }
}
