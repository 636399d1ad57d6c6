package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.model.hub.FakeHub;
import dev.flinkreranker.model.hub.HubOptions;
import dev.flinkreranker.model.hub.ProgressSink;
import dev.flinkreranker.model.hub.TestModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ModelsCommandTest {
  @TempDir Path cacheDir;
  @RegisterExtension final FakeHub hub = FakeHub.started();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    HubOptions options = new HubOptions(hub.endpoint(), null, false, cacheDir, ProgressSink.NONE);
    CommandLine cli = new CommandLine(new ModelsCommand(() -> options));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private List<String> lines() {
    return Arrays.stream(out.toString().split("\\R")).collect(Collectors.toList());
  }

  @Test
  void listShowsModelsRefsCommitsAndSizes() throws IOException {
    TestModels.writePythonCache(cacheDir, "Qwen/Qwen3-Reranker-0.6B", TestModels.COMMIT, TestModels.singleFile(1));
    Path partial = TestModels.writePythonCache(cacheDir, "org/sharded", TestModels.OTHER_COMMIT, TestModels.sharded(2));
    Files.delete(partial.resolve("model-00002-of-00002.safetensors"));

    assertEquals(0, run("list"));

    List<String> lines = lines();
    assertEquals("Cache: " + cacheDir, lines.get(0));
    assertTrue(lines.get(1).startsWith("MODEL"), lines.get(1));
    // Sorted by id, case-insensitively: org/sharded, then Qwen/...; each model ends with its disk use.
    String sharded = lines.get(2);
    assertTrue(sharded.startsWith("org/sharded ") && sharded.contains("incomplete (missing model-00002-of-00002.safetensors)"), sharded);
    assertTrue(lines.get(3).trim().endsWith("on disk"), lines.get(3));
    String qwen = lines.get(4);
    assertTrue(qwen.startsWith("Qwen/Qwen3-Reranker-0.6B "), qwen);
    assertTrue(qwen.contains(" main ") && qwen.contains(TestModels.COMMIT.substring(0, 12)), qwen);
    // 8 files written by the "Python tool", 300 000 + 50 000 + 20 000 bytes of binaries plus small JSON
    assertTrue(qwen.matches(".*\\s8\\s+370 KB\\s+ready$"), qwen);
    assertEquals("370 KB on disk", lines.get(5).trim());
    assertTrue(lines.get(lines.size() - 1).startsWith("2 model(s), "), lines.get(lines.size() - 1));
    assertEquals(0, hub.requests.size(), "list never touches the network");
  }

  @Test
  void listOfAnEmptyCacheSaysHowToDownload() {
    assertEquals(0, run("list"));
    assertTrue(out.toString().contains("No models cached"), out.toString());
  }

  @Test
  void downloadFetchesIntoTheCacheAndListShowsIt() {
    hub.addRepo("org/tiny", TestModels.COMMIT, TestModels.singleFile(3));

    assertEquals(0, run("download", "org/tiny"));
    assertTrue(out.toString().contains("org/tiny (commit " + TestModels.COMMIT + ") is in " + cacheDir.toAbsolutePath()), out.toString());

    out.getBuffer().setLength(0);
    assertEquals(0, run("list"));
    assertTrue(lines().get(2).matches("org/tiny\\s+main\\s+" + TestModels.COMMIT.substring(0, 12) + "\\s+4\\s+.*ready"), lines().get(2));
  }

  @Test
  void downloadErrorsGoToStderrWithANonZeroExitCode() {
    assertEquals(1, run("download", "org/nope"));
    assertTrue(err.toString().contains("REPO_NOT_FOUND"), err.toString());
    assertEquals(2, run("download", "not-a-hub-id"));
    assertTrue(err.toString().contains("org/name"), err.toString());
  }

  @Test
  void registeredInMain() {
    assertTrue(new CommandLine(new Main()).getSubcommands().containsKey("models"));
  }
}
