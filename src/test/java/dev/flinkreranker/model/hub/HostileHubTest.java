package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile or compromised hub names paths where a commit or a file name belongs: nothing it says
 * may put a file or a symlink outside the cache, and the answer is refused before anything is
 * written.
 */
class HostileHubTest {
  @TempDir Path tmp;
  @RegisterExtension final FakeHub hub = FakeHub.started();

  private Path cacheDir() {
    return tmp.resolve("cache");
  }

  private ModelResolver resolver() {
    return new ModelResolver(new HubOptions(hub.endpoint(), null, false, cacheDir(), ProgressSink.NONE));
  }

  /** The cache is tmp/cache: three levels up from snapshots/ is tmp itself. */
  @ParameterizedTest
  @ValueSource(strings = {"../../../escaped", "ABSOLUTE", "0123456789abcdef0123456789abcdef0123456/..",
      "0123456789ABCDEF0123456789ABCDEF01234567"})
  void aCommitThatIsNotAHashIsRefusedBeforeAnythingIsWritten(String sha) throws IOException {
    String hostile = sha.equals("ABSOLUTE") ? tmp.resolve("escaped").toString() : sha;
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(1));
    hub.hostileSha = hostile;

    HubException e = assertThrows(HubException.class, () -> resolver().resolve("org/tiny"));

    assertEquals(HubException.Reason.PROTOCOL, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("org/tiny"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + hostile + "'"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("escaped")), "a snapshot was written outside the cache");
    assertEquals(0, hub.count("hub", "HEAD", "/resolve/"), "files were fetched for a bad commit");
    assertNothingWritten();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../model.safetensors", "/etc/model.safetensors", "..", "a/../../b.json",
      "sub\\..\\..\\model.safetensors", "a//b.json", "./config.json", "sub/"})
  void aFileNameThatIsNotARelativePathIsRefusedBeforeAnythingIsWritten(String file) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>(TestModels.singleFile(1));
    files.put(file, TestModels.utf8("{}"));
    hub.addRepo("org/tiny", TestModels.COMMIT, files);

    HubException e = assertThrows(HubException.class, () -> resolver().resolve("org/tiny"));

    assertEquals(HubException.Reason.PROTOCOL, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("org/tiny"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + file + "'"), e.getMessage());
    assertEquals(0, hub.count("hub", "HEAD", "/resolve/"), "files were fetched from a bad listing");
    assertNothingWritten();
  }

  private void assertNothingWritten() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      assertEquals(0, all.filter(Files::isRegularFile).count() + countLinks(),
          "files were written for a refused listing");
    }
  }

  private long countLinks() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(Files::isSymbolicLink).count();
    }
  }
}
