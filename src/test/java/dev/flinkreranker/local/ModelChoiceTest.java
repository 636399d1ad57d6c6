package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.model.hub.HubException;
import dev.flinkreranker.model.hub.HubOptions;
import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.model.hub.ProgressSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelChoiceTest {
  @TempDir Path cache;

  private ModelResolver offline() {
    return new ModelResolver(new HubOptions("http://127.0.0.1:9", null, true, cache,
        ProgressSink.forStderr()));
  }

  @Test
  void unavailableDefaultModelFallsBackToLexicalWithABanner() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String model = ModelChoice.choose(null, offline(),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertEquals("lexical", model);
    String banner = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(banner.contains(ModelChoice.DEFAULT_MODEL + " is not available"), banner);
    assertTrue(banner.contains("lexical"), banner);
  }

  @Test
  void aNamedModelThatCannotBeResolvedIsAnErrorNotAFallback() {
    assertThrows(HubException.class, () -> ModelChoice.choose("Qwen/Qwen3-Reranker-8B", offline(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
  }

  @Test
  void lexicalNamedIsKept() {
    assertEquals("lexical", ModelChoice.choose("lexical", offline(), System.out));
  }
}
