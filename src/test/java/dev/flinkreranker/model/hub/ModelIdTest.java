package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelIdTest {

  @Test
  void parsesRepoAndOptionalRevision() {
    assertEquals(Optional.of(new ModelId("Qwen/Qwen3-Reranker-0.6B", "main")), ModelId.parse("Qwen/Qwen3-Reranker-0.6B"));
    assertEquals(Optional.of(new ModelId("Qwen/Qwen3-Reranker-8B", "v2")), ModelId.parse("Qwen/Qwen3-Reranker-8B@v2"));
    assertEquals("refs/pr/3", ModelId.parse("org/m@refs/pr/3").orElseThrow().revision());
    assertTrue(ModelId.parse("org/m@0123456789abcdef0123456789abcdef01234567").orElseThrow().revisionIsCommit());
    assertFalse(ModelId.parse("org/m@v1").orElseThrow().revisionIsCommit());
  }

  @Test
  void rejectsWhatIsNotAHubId() {
    for (String bad :
        new String[] {"lexical", "/abs/path", "./rel/path", "a/b/c", "org/", "org/m@", "org--x/m", "org/../m", "org/m@../x", "org/m.git", "with space/m"}) {
      assertTrue(ModelId.parse(bad).isEmpty(), bad);
    }
  }

  @Test
  void cacheFolderNameIsThePythonOne() {
    assertEquals("models--Qwen--Qwen3-Reranker-0.6B", new ModelId("Qwen/Qwen3-Reranker-0.6B", null).folderName());
    assertEquals("Qwen/Qwen3-Reranker-0.6B", new ModelId("Qwen/Qwen3-Reranker-0.6B", null).toString());
    assertEquals("org/m@v1", new ModelId("org/m", "v1").toString());
  }
}
