package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Resolving hub ids: the cache layout we write, what we fetch, and reuse of what is cached. */
class ModelResolverTest {
  @TempDir Path tmp;
  @TempDir Path cacheDir;
  @RegisterExtension final FakeHub hub = FakeHub.started();

  private ModelResolver resolver() {
    return new ModelResolver(new HubOptions(hub.endpoint(), null, false, cacheDir, ProgressSink.NONE));
  }

  @Test
  void downloadsIntoTheLayoutThePythonToolsUse() throws IOException {
    Map<String, byte[]> files = TestModels.singleFile(1);
    hub.addRepo("org/tiny", TestModels.COMMIT, files);

    ResolvedModel m = resolver().resolve("org/tiny");

    Path repoDir = cacheDir.resolve("models--org--tiny");
    assertEquals(repoDir.resolve("snapshots").resolve(TestModels.COMMIT), m.dir());
    assertEquals("org/tiny", m.id());
    assertEquals("main", m.revision());
    assertEquals(TestModels.COMMIT, m.commit());
    assertEquals(TestModels.COMMIT, Files.readString(repoDir.resolve("refs/main")));
    for (String name : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors")) {
      Path entry = m.dir().resolve(name);
      assertTrue(Files.isSymbolicLink(entry), name + " is a symlink");
      String etag = FakeHub.etagOf(name, files.get(name));
      assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(entry), name + " points to its blob");
      assertArrayEquals(files.get(name), Files.readAllBytes(entry), name + " content");
    }
    // The weights' blob is named by its sha256, as huggingface_hub names LFS blobs.
    assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(FakeHub.sha256(files.get("model.safetensors")))));
    assertEquals(List.of(), ModelFiles.missing(m.dir()));
  }

  @Test
  void fetchesOnlyWhatTheRerankerNeeds() throws IOException {
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(2));

    ResolvedModel m = resolver().resolve("org/tiny");

    try (Stream<Path> s = Files.list(m.dir())) {
      assertEquals(
          List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"),
          s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
    }
    for (String unwanted : List.of("pytorch_model.bin", "onnx", "README.md", ".gitattributes")) {
      assertEquals(0, hub.count("hub", "HEAD", unwanted) + hub.count("hub", "GET", "resolve/" + TestModels.COMMIT + "/" + unwanted), unwanted);
    }
  }

  @Test
  void shardedCheckpointGetsEveryShard() {
    Map<String, byte[]> files = TestModels.sharded(3);
    hub.addRepo("org/sharded", TestModels.COMMIT, files);

    ResolvedModel m = resolver().resolve("org/sharded");

    assertEquals(List.of(), ModelFiles.missing(m.dir()));
    assertEquals(1, hub.count("cdn", "GET", FakeHub.sha256(files.get("model-00001-of-00002.safetensors"))));
    assertEquals(1, hub.count("cdn", "GET", FakeHub.sha256(files.get("model-00002-of-00002.safetensors"))));
  }

  @Test
  void secondResolveOnlyAsksWhichCommitMainIs() {
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(4));
    ResolvedModel first = resolver().resolve("org/tiny");
    int before = hub.requests.size();

    ResolvedModel second = resolver().resolve("org/tiny");

    assertEquals(first, second);
    List<FakeHub.Request> after = hub.requests.subList(before, hub.requests.size());
    assertEquals(1, after.size(), "one listing call, no file transfers: " + after);
    assertTrue(after.get(0).path().startsWith("/api/models/org/tiny/revision/main"));
  }

  @Test
  void newCommitOnMainReusesUnchangedBlobs() {
    Map<String, byte[]> files = TestModels.singleFile(5);
    FakeHub.Repo repo = hub.addRepo("org/tiny", TestModels.COMMIT, files);
    resolver().resolve("org/tiny");
    // main moves to a commit that only changes config.json
    Map<String, byte[]> next = new java.util.LinkedHashMap<>(files);
    next.put("config.json", TestModels.utf8("{\"changed\":true}"));
    hub.addRepo("org/tiny", TestModels.OTHER_COMMIT, next);

    ResolvedModel m = resolver().resolve("org/tiny");

    assertEquals(TestModels.OTHER_COMMIT, m.commit());
    assertEquals(1, hub.count("cdn", "GET", FakeHub.sha256(files.get("model.safetensors"))), "weights downloaded once");
    assertTrue(Files.isDirectory(m.dir().resolveSibling(TestModels.COMMIT)), "old snapshot kept, as Python does");
    assertTrue(repo.commit.equals(TestModels.COMMIT));
  }

  @Test
  void cachedCommitNeedsNoRequestEvenOnline() {
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(9));
    ResolvedModel first = resolver().resolve("org/tiny@" + TestModels.COMMIT);
    int before = hub.requests.size();

    ResolvedModel again = resolver().resolve("org/tiny@" + TestModels.COMMIT);

    assertEquals(first.dir(), again.dir());
    assertEquals(before, hub.requests.size(), "a complete snapshot of a pinned commit is final");
  }

  @Test
  void revisionSuffixSelectsBranchAndIsRecordedInRefs() throws IOException {
    FakeHub.Repo repo = hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(6));
    repo.refs.put("v1.0", TestModels.COMMIT);

    ResolvedModel m = resolver().resolve("org/tiny@v1.0");

    assertEquals("v1.0", m.revision());
    assertEquals(TestModels.COMMIT, Files.readString(cacheDir.resolve("models--org--tiny/refs/v1.0")));
    assertEquals(1, hub.count("hub", "GET", "/api/models/org/tiny/revision/v1.0"));
  }

  @Test
  void renamedRepositoryIsFollowedThroughRelativeRedirects() {
    hub.addRepo("org/new-name", TestModels.COMMIT, TestModels.singleFile(7));
    hub.rename("org/old-name", "org/new-name");

    ResolvedModel m = resolver().resolve("org/old-name");

    assertEquals(List.of(), ModelFiles.missing(m.dir()));
    assertTrue(hub.count("hub", "GET", "/api/models/org/new-name/") > 0);
  }

  @Test
  void relativeLfsRedirectOfAMirrorIsDownloadedFromThatPath() throws IOException {
    Map<String, byte[]> files = TestModels.singleFile(10);
    hub.addRepo("org/tiny", TestModels.COMMIT, files);
    hub.relativeLfsRedirects = true;

    ResolvedModel m = resolver().resolve("org/tiny");

    assertArrayEquals(files.get("model.safetensors"), Files.readAllBytes(m.dir().resolve("model.safetensors")));
    String sha = FakeHub.sha256(files.get("model.safetensors"));
    assertEquals(1, hub.count("hub", "GET", "/blobs/" + sha));
    assertEquals(0, hub.count("hub", "HEAD", "/blobs/"), "the redirect itself described the file");
    assertTrue(Files.isRegularFile(cacheDir.resolve("models--org--tiny/blobs").resolve(sha)));
  }

  @Test
  void directoryIsUsedAsIsAndNeverTouchesTheNetwork() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("my-model"));
    Files.writeString(dir.resolve("config.json"), "{}");

    ResolvedModel m = resolver().resolve(dir.toString());

    assertEquals(dir, m.dir());
    assertNull(m.commit());
    assertFalse(m.fromHub());
    assertEquals(0, hub.requests.size());
  }

  @Test
  void directoryWithoutConfigAndGarbageAndLexicalAreRejectedClearly() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    HubException noConfig = assertThrows(HubException.class, () -> resolver().resolve(empty.toString()));
    assertEquals(HubException.Reason.INVALID_MODEL, noConfig.reason());
    assertTrue(noConfig.getMessage().contains("config.json"));

    HubException garbage = assertThrows(HubException.class, () -> resolver().resolve("not a model"));
    assertEquals(HubException.Reason.INVALID_MODEL, garbage.reason());
    assertTrue(garbage.getMessage().contains("org/name"));

    assertTrue(ModelResolver.isLexical("lexical"));
    assertTrue(ModelResolver.isLexical("LEXICAL"));
    assertEquals(HubException.Reason.INVALID_MODEL, assertThrows(HubException.class, () -> resolver().resolve("lexical")).reason());
    assertEquals(0, hub.requests.size());
  }
}
