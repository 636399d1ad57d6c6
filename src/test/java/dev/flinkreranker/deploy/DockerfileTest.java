package dev.flinkreranker.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** deploy/Dockerfile packs what the build produces, with the versions the build uses. */
class DockerfileTest {

  /** One Dockerfile instruction with continuation lines joined. */
  record Instruction(String keyword, List<String> args) {}

  static List<Instruction> instructions(String dockerfile) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.split("\n")) {
      String l = line.strip();
      if (current.length() == 0 && (l.isEmpty() || l.startsWith("#"))) {
        continue;
      }
      if (l.startsWith("#")) {
        continue; // comment lines inside a continued instruction
      }
      if (l.endsWith("\\")) {
        current.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      current.append(l);
      String[] words = current.toString().strip().split("\\s+");
      out.add(new Instruction(words[0].toUpperCase(), List.of(words).subList(1, words.length)));
      current.setLength(0);
    }
    return out;
  }

  static List<Instruction> dockerfile() {
    return instructions(DeployFiles.text(DeployFiles.DOCKERFILE));
  }

  /** Sources and destination of a COPY, without its --flags. */
  static List<String> copyOperands(Instruction copy) {
    return copy.args().stream().filter(a -> !a.startsWith("--")).collect(Collectors.toList());
  }

  static boolean fromStage(Instruction copy) {
    return copy.args().stream().anyMatch(a -> a.startsWith("--from="));
  }

  /** The jars the pom's shade executions write (outputFile), relative to the project. */
  static Set<String> shadeOutputs() {
    Document pom = DeployFiles.xml(DeployFiles.ROOT.resolve("pom.xml"));
    Set<String> outputs = new LinkedHashSet<>();
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (!text(plugin, "artifactId").equals("maven-shade-plugin")) {
        continue;
      }
      NodeList files = plugin.getElementsByTagName("outputFile");
      for (int j = 0; j < files.getLength(); j++) {
        outputs.add(files.item(j).getTextContent().trim()
            .replace("${project.build.directory}", "target")
            .replace("${project.basedir}/", ""));
      }
    }
    return outputs;
  }

  private static String text(Element e, String child) {
    NodeList l = e.getElementsByTagName(child);
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
  }

  /** The jar copied from the build context to a destination (relative sources only). */
  static Map<String, String> copiedJars() {
    Map<String, String> jars = new LinkedHashMap<>();
    for (Instruction i : dockerfile()) {
      if (i.keyword().equals("COPY") && !fromStage(i)) {
        List<String> ops = copyOperands(i);
        String dest = ops.get(ops.size() - 1);
        for (String src : ops.subList(0, ops.size() - 1)) {
          if (src.endsWith(".jar")) {
            jars.put(src, dest);
          }
        }
      }
    }
    return jars;
  }

  @Test
  void copiesTheJobJarThatThePomBuildsIntoUsrlib() {
    Set<String> outputs = shadeOutputs();
    assertEquals(Set.of("target/flink-reranker.jar", "target/flink-reranker-job.jar"), outputs,
        "the pom's shade executions changed: update deploy/Dockerfile and this test");
    Map<String, String> jars = copiedJars();
    assertFalse(jars.isEmpty(), "the Dockerfile copies the job jar");
    for (String src : jars.keySet()) {
      assertTrue(outputs.contains(src), src + " is not built by the pom (" + outputs + ")");
    }
    assertTrue(
        jars.getOrDefault("target/flink-reranker-job.jar", "").startsWith("/opt/flink/usrlib/"),
        "job jar goes to usrlib: " + jars);
    // The runnable jar bundles Flink, DJL and PyTorch: in the image it would load them a second
    // time in the user classloader (pitfall 9).
    assertFalse(jars.containsKey("target/flink-reranker.jar"), "the runnable jar stays out");
  }

  @Test
  void dockerignoreLetsTheCopiedFilesThrough() {
    List<String> rules = List.of(DeployFiles.text(DeployFiles.ROOT.resolve(".dockerignore")).split("\n"));
    for (String jar : copiedJars().keySet()) {
      assertTrue(rules.contains("!" + jar), ".dockerignore re-includes " + jar);
    }
    for (Instruction i : dockerfile()) {
      if (i.keyword().equals("COPY") && !fromStage(i)) {
        List<String> ops = copyOperands(i);
        for (String src : ops.subList(0, ops.size() - 1)) {
          String top = src.replaceFirst("/.*", "/");
          assertTrue(
              rules.contains("!" + src) || rules.contains("!" + top),
              ".dockerignore re-includes " + src);
          if (!src.startsWith("target/")) {
            assertTrue(Files.exists(DeployFiles.ROOT.resolve(src)), src + " exists");
          }
        }
      }
    }
  }

  @Test
  void engineJarsGoToFlinkLibWithTheProjectsVersions() {
    Document project = DeployFiles.xml(DeployFiles.ROOT.resolve("pom.xml"));
    Document engine = DeployFiles.xml(DeployFiles.ENGINE_POM);
    for (String p : List.of("djl.version", "pytorch.version")) {
      assertEquals(DeployFiles.pomProperty(project, p), DeployFiles.pomProperty(engine, p), p);
    }
    String dockerfile = DeployFiles.text(DeployFiles.DOCKERFILE);
    assertTrue(dockerfile.contains("ARG PYTORCH_VERSION=" + DeployFiles.pomProperty(project, "pytorch.version")),
        "the Dockerfile's PYTORCH_VERSION equals the pom's pytorch.version");
    // The copied engine directory lands in Flink's lib/ (parent classloader).
    boolean libCopy = dockerfile().stream().anyMatch(i -> i.keyword().equals("COPY") && fromStage(i)
        && copyOperands(i).get(copyOperands(i).size() - 1).equals("/opt/flink/lib/"));
    assertTrue(libCopy, "engine jars are copied to /opt/flink/lib/");
    // Flink's lib/ has SLF4J bound to log4j; a second SLF4J there would fight over the binding.
    assertTrue(dockerfile.contains("-DexcludeGroupIds=org.slf4j -DoutputDirectory=/out/lib"),
        "SLF4J stays out of the engine jars");
    // Every flavour the Dockerfile accepts has a profile in the engine pom.
    Matcher m = Pattern.compile("case \"\\$\\{PYTORCH_FLAVOR}\" in ([a-z0-9|]+)\\)").matcher(dockerfile);
    assertTrue(m.find(), "the Dockerfile validates PYTORCH_FLAVOR");
    Set<String> profiles = new LinkedHashSet<>();
    NodeList ids = engine.getElementsByTagName("profile");
    for (int i = 0; i < ids.getLength(); i++) {
      profiles.add(text((Element) ids.item(i), "id"));
    }
    assertEquals(Set.of(m.group(1).split("\\|")), profiles);
    assertTrue(profiles.containsAll(Set.of("cpu", "cu128")));
  }

  @Test
  void baseImageIsTheFlinkOfThePomOnJava17() {
    String flinkVersion =
        DeployFiles.pomProperty(DeployFiles.xml(DeployFiles.ROOT.resolve("pom.xml")), "flink.version");
    String from = dockerfile().stream().filter(i -> i.keyword().equals("ARG")
            && i.args().get(0).startsWith("FLINK_IMAGE="))
        .map(i -> i.args().get(0).substring("FLINK_IMAGE=".length())).findFirst().orElse(null);
    assertNotNull(from, "ARG FLINK_IMAGE");
    assertEquals("flink:" + flinkVersion + "-scala_2.12-java17", from);
    // The S3 plugin the Kubernetes deployment enables ships with that Flink version.
    JsonNode spec = DeployFiles.flinkDeployment().path("spec");
    for (String pod : List.of("jobManager", "taskManager")) {
      // JobManager (HA, savepoints) and TaskManagers (checkpoints) both write to S3.
      JsonNode env = spec.path(pod).path("podTemplate").path("spec").path("containers").get(0)
          .path("env");
      List<String> plugins = new ArrayList<>();
      env.forEach(e -> {
        if (e.path("name").asText().equals("ENABLE_BUILT_IN_PLUGINS")) {
          plugins.addAll(List.of(e.path("value").asText().split(";")));
        }
      });
      assertFalse(plugins.isEmpty(), pod + " enables the S3 plugin");
      for (String p : plugins) {
        assertTrue(p.endsWith("-" + flinkVersion + ".jar"), p + " matches Flink " + flinkVersion);
      }
    }
    assertTrue(spec.path("podTemplate").isMissingNode(),
        "no shared pod template: it merges into the others by array position");
  }

  @Test
  void imageCarriesTheFlinkConfigAndTheJobProfiles() {
    List<Instruction> copies = dockerfile().stream()
        .filter(i -> i.keyword().equals("COPY") && !fromStage(i)).collect(Collectors.toList());
    assertTrue(copies.stream().anyMatch(i -> copyOperands(i).equals(
        List.of("deploy/flink/config.yaml", "/opt/flink/conf/config.yaml"))));
    String jobDir = copies.stream().filter(i -> copyOperands(i).get(0).equals("job/"))
        .map(i -> copyOperands(i).get(1)).findFirst().orElse(null);
    assertNotNull(jobDir, "job/ is copied into the image");
    // The --config of compose and Kubernetes names a profile that the image has.
    List<List<String>> commandLines = List.of(
        DeployFiles.strings(DeployFiles.compose().path("services").path("jobmanager").path("command")),
        DeployFiles.strings(DeployFiles.flinkDeployment().path("spec").path("job").path("args")));
    for (List<String> args : commandLines) {
      String config = DeployFiles.optionValue(args, "--config");
      assertNotNull(config, "--config in " + args);
      assertTrue(config.startsWith(jobDir), config + " is under " + jobDir);
      Path local = DeployFiles.ROOT.resolve("job").resolve(config.substring(jobDir.length()));
      assertTrue(Files.isRegularFile(local), config + " comes from " + local);
    }
  }

  @Test
  void nativesFetcherCompilesAgainstTheEngineJars() throws Exception {
    // The image build runs it with the single-file source launcher: a compile error would only
    // show up in `docker build`, so compile it here against the same DJL jars (test classpath).
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    Path out = Files.createTempDirectory("fetch-natives");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int rc = javac.run(null, null, err,
        "-d", out.toString(),
        "-cp", System.getProperty("java.class.path"),
        DeployFiles.DEPLOY.resolve("docker/FetchPyTorchNatives.java").toString());
    assertEquals(0, rc, err.toString());
    assertTrue(Files.isRegularFile(out.resolve("FetchPyTorchNatives.class")));
    // It calls DJL's loader by name; the class must exist in the DJL version we ship.
    Class.forName("ai.djl.pytorch.jni.LibUtils", false, getClass().getClassLoader())
        .getMethod("loadLibrary");
  }

  @Test
  void jvmOptionsKeepFlinksJava17FlagsAndDjlOffline() {
    // deploy/flink/config.yaml replaces the image's config.yaml, which carries these flags.
    List<String> opts = List.of(DeployFiles.flinkConfig().getOrDefault("env.java.opts.all", "").split("\\s+"));
    for (String flag : List.of(
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
        "-Dai.djl.offline=true")) {
      assertTrue(opts.contains(flag), "env.java.opts.all has " + flag);
    }
    String dockerfile = DeployFiles.text(DeployFiles.DOCKERFILE);
    assertTrue(dockerfile.contains("DJL_CACHE_DIR=/opt/djl"), "the natives prepared at build time");
  }
}
