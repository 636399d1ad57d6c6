package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.model.qwen3.Qwen3Config;
import dev.flinkreranker.model.qwen3.Qwen3Reranker;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU rehearsal of the GPU device run (issue 16, docs/gpu.md): {@code tools/gpu/rehearse-cpu.sh}
 * builds the kit (jlinked runtime, Flink-free jars, tokenizer) and runs the kit's measure.py with the
 * CPU as the device, so the device call is not where bugs are found. Every step must succeed on this
 * machine; what needs CUDA or transformers reports itself as skipped.
 *
 * <p>DJL's JNI sources are not in this repository: build-kit.sh takes them from a fetched copy of
 * DJL's ({@code --djl-git}), which CI does not have. So the kit here has none, and the rehearsal
 * uses DJL's prebuilt CPU bridge; this test checks that such a kit says what the device run needs.
 */
class DeviceKitRehearsalITCase {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path KIT = ROOT.resolve("target/gpu-kit");
  private static final Path REHEARSAL = ROOT.resolve("target/gpu-rehearsal");
  private static final long KIT_LIMIT_BYTES = 64L * 1024 * 1024;
  /** The device run's whole budget: 9 minutes, inside the device's 10-minute call limit. */
  private static final int DEVICE_BUDGET_S = 540;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static String rehearsalLog;

  @BeforeAll
  static void rehearse() throws Exception {
    // Fail loudly, naming the Debian package, when a tool the kit needs is missing.
    Map<String, String> tools = Map.of(
        "jlink", "openjdk-17-jdk-headless", "jdeps", "openjdk-17-jdk-headless",
        "jar", "openjdk-17-jdk-headless", "python3", "python3", "mvn", "maven", "gzip", "gzip",
        "g++", "g++", "nm", "binutils", "git", "git");
    List<String> missing = new ArrayList<>();
    tools.forEach((tool, pkg) -> {
      if (!onPath(tool)) {
        missing.add(tool + " (apt package " + pkg + ")");
      }
    });
    if (!missing.isEmpty()) {
      fail("the GPU kit rehearsal needs " + String.join(", ", missing) + " on PATH");
    }
    Path log = ROOT.resolve("target/gpu-rehearsal.log");
    ProcessBuilder pb = new ProcessBuilder("bash", "tools/gpu/rehearse-cpu.sh", "--skip-compile")
        .directory(ROOT.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().remove("DJL_GIT"); // the kit CI can build: no DJL sources
    Process p = pb.start();
    // Bounded: the kit build (~2 min) and the rehearsal (~3 min) on a busy 2-core machine.
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("the rehearsal did not finish in 20 minutes; log tail:\n" + tail(log));
    }
    rehearsalLog = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "tools/gpu/rehearse-cpu.sh failed; log tail:\n" + tail(log));
  }

  @Test
  void kitFitsWhatTravelsAndHasNoFlink() throws IOException {
    long bytes;
    try (Stream<Path> files = Files.walk(KIT)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
    assertTrue(bytes <= KIT_LIMIT_BYTES, "kit is " + bytes + " bytes, over 64 MiB");
    try (Stream<Path> jars = Files.list(KIT.resolve("lib"))) {
      List<String> names = jars.map(j -> j.getFileName().toString()).toList();
      assertTrue(names.contains("engine.jar"), names.toString());
      assertTrue(names.stream().noneMatch(n -> n.contains("flink") || n.contains("kafka")
          || n.contains("pytorch-native") || n.contains("pytorch-jni")), names.toString());
    }
    for (String f : List.of("runtime/bin/java", "tokenizer/tokenizer.json.gz",
        "jni-include/jni.h", "jni-include/linux/jni_md.h", "measure.py", "build_jni.py",
        "README.txt")) {
      assertTrue(Files.exists(KIT.resolve(f)), "kit lacks " + f);
    }
    assertTrue(rehearsalLog.contains("limit 64 MiB"), "build-kit did not report the kit's size");
  }

  @Test
  void everyStepRanOnTheJlinkedRuntimeWithTheOverriddenLibtorch() throws IOException {
    JsonNode r = JSON.readTree(REHEARSAL.resolve("out/gpu-results.json").toFile());
    assertEquals("cpu", r.at("/meta/mode").asText());
    for (String step : List.of("jni", "parity", "throughput", "batching", "long")) {
      assertEquals("ok", r.at("/steps/" + step + "/status").asText(),
          step + ": " + r.at("/steps/" + step));
    }
    // The engine found libtorch and the JNI the way the device's are handed to it.
    JsonNode jni = r.at("/steps/jni");
    assertEquals(REHEARSAL.resolve("libtorch-2.7.1").toString(), jni.at("/PYTORCH_LIBRARY_PATH").asText());
    assertEquals("cpu", jni.at("/PYTORCH_FLAVOR").asText());
    assertEquals("cpu()", jni.at("/smoke/device").asText());
    assertTrue(jni.at("/djl_sources").asText().contains("--djl-git"), jni.toString());
    // The bridge build's fallback: a function that does not compile is left out, the rest links.
    assertTrue(jni.at("/build_self_test/linked").asBoolean(), jni.toString());
    assertTrue(jni.at("/build_self_test/missing_as_expected").asBoolean(), jni.toString());
    assertTrue(jni.at("/build_self_test/kept_exported").asBoolean(), jni.toString());
    // Parity: our FP16 path against our FP32 path on the same checkpoint, every pair scored.
    JsonNode tiny = r.at("/steps/parity/shapes/tiny");
    assertEquals(4, tiny.at("/logits/ours_fp32").size(), tiny.toString());
    double fp16VsFp32 = tiny.at("/ours_fp16_vs_fp32").asDouble(Double.NaN);
    assertTrue(fp16VsFp32 >= 0 && fp16VsFp32 < 0.05 * Math.max(1, tiny.at("/max_abs_logit").asDouble()),
        "FP16 vs FP32 logit difference " + fp16VsFp32);
    // Throughput rows carry our rate; the transformers column is there or says why not.
    JsonNode rows = r.at("/steps/throughput/rows");
    assertEquals(2, rows.size(), rows.toString());
    for (JsonNode row : rows) {
      assertTrue(row.at("/ours_pairs_per_s").asDouble() > 0, row.toString());
    }
    JsonNode tf = r.at("/steps/throughput/transformers");
    assertTrue(tf.isMissingNode() || tf.asText().startsWith("skipped: "), tf.toString());
    assertTrue(r.at("/steps/batching/result/speedup").asDouble() > 0, r.at("/steps/batching").toString());
    assertTrue(r.at("/steps/long/ours_ms").asDouble() > 0, r.at("/steps/long").toString());
    String table = Files.readString(REHEARSAL.resolve("out/gpu-results.txt"));
    assertTrue(table.contains("speedup") && table.contains("ours pair/s"), table);
  }

  @Test
  void devicePlanFitsTheDeviceCall() throws IOException {
    JsonNode plan = JSON.readTree(REHEARSAL.resolve("plan/gpu-results.json").toFile());
    assertEquals("device", plan.at("/meta/mode").asText());
    assertTrue(plan.at("/meta/dry_run").asBoolean());
    assertEquals(5, plan.at("/meta/steps").size());
    assertTrue(plan.at("/meta/budget_s").asDouble() <= DEVICE_BUDGET_S, plan.at("/meta").toString());
    assertEquals("random:qwen3-0.6b", plan.at("/meta/plan/batching_args/1").asText());
    assertEquals(32768, plan.at("/meta/plan/long_tokens").asInt());
    assertTrue(plan.at("/meta/example_command/0").asText().endsWith("runtime/bin/java"));
  }

  @Test
  void kitWithoutDjlSourcesSaysTheDeviceRunNeedsDjlGit() throws Exception {
    assertTrue(Files.notExists(KIT.resolve("djl-jni")), "the kit has DJL sources without --djl-git");
    String fetch = "fetch github:deepjavalibrary/djl";
    // build-kit's last line, and the kit's README.
    assertTrue(rehearsalLog.lines().anyMatch(l -> l.startsWith("build-kit: NO DJL SOURCES")
        && l.contains("--djl-git") && l.contains(fetch)), "build-kit did not say the sources are missing");
    String readme = Files.readString(KIT.resolve("README.txt"));
    assertTrue(readme.lines().anyMatch(l -> l.startsWith("djl-jni/") && l.contains("NONE")
        && l.contains("--djl-git") && l.contains(fetch)), readme);
    // The device plan records it.
    JsonNode plan = JSON.readTree(REHEARSAL.resolve("plan/gpu-results.json").toFile());
    assertTrue(plan.at("/meta/djl_sources").asText().contains("--djl-git"), plan.at("/meta").toString());
    // On the device, the jni step fails first thing and names what to do (no torch needed to see it).
    Path out = REHEARSAL.resolve("no-sources");
    Process p = new ProcessBuilder("python3", KIT.resolve("measure.py").toString(), "--kit",
        KIT.toString(), "--out", out.toString(), "--work", REHEARSAL.resolve("no-sources-work").toString(),
        "--steps", "jni")
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), log);
    assertEquals(1, p.exitValue(), log);
    JsonNode jni = JSON.readTree(out.resolve("gpu-results.json").toFile()).at("/steps/jni");
    assertEquals("failed", jni.at("/status").asText(), jni.toString());
    assertTrue(jni.at("/error").asText().contains("build-kit.sh --djl-git DIR")
        && jni.at("/error").asText().contains(fetch), jni.toString());
    assertTrue(Files.readString(out.resolve("gpu-results.txt")).contains("--djl-git"), log);
  }

  @Test
  void buildKitRefusesARepositoryWhoseTagIsNotDjlsRelease(@TempDir Path tmp) throws Exception {
    // A git repository with a tag v0.36.0 that is not DJL's release commit: refused before the build.
    Path repo = tmp.resolve("not-djl");
    git(tmp, "init", "-q", repo.toString());
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
        "commit", "-q", "--allow-empty", "-m", "not DJL");
    git(repo, "tag", "v0.36.0");
    Process p = new ProcessBuilder("bash", "tools/gpu/build-kit.sh", "--skip-compile", "--out",
        tmp.resolve("kit").toString(), "--djl-git", repo.resolve(".git").toString())
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), out);
    assertEquals(1, p.exitValue(), out);
    assertTrue(out.contains("not DJL's release commit 1a7265a7c98542027f168bda90969f6e0e567c5f"), out);
    assertTrue(Files.notExists(tmp.resolve("kit")), "build-kit built a kit from the wrong sources");
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0, cmd + ": " + out);
  }

  @Test
  void measureUsesTheEnginesPromptAndShapes() throws Exception {
    Process p = new ProcessBuilder("python3", "tools/gpu/measure.py", "--print-prompt")
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0, out);
    JsonNode prompt = JSON.readTree(out);
    assertEquals(Qwen3Reranker.PREFIX, prompt.get("prefix").asText());
    assertEquals(Qwen3Reranker.SUFFIX, prompt.get("suffix").asText());
    assertEquals(Qwen3Reranker.DEFAULT_INSTRUCTION, prompt.get("default_instruction").asText());
    assertEquals(Qwen3Reranker.DEFAULT_MAX_LENGTH, prompt.get("max_length").asInt());
    // measure.py's FLOP counts and checkpoints use the shapes `bench shape` runs.
    for (String shape : List.of("tiny", "0.6b", "4b", "8b")) {
      Qwen3Config c = ShapeBenchCommand.config(shape);
      JsonNode py = prompt.at("/shapes/" + shape);
      assertEquals(List.of(c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
              c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim()),
          List.of(py.get(0).asInt(), py.get(1).asInt(), py.get(2).asInt(), py.get(3).asInt(),
              py.get(4).asInt(), py.get(5).asInt()), shape);
      assertEquals(c.tieWordEmbeddings(), py.get(6).asBoolean(), shape);
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
