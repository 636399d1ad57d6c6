package dev.flinkreranker.testutil;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A Flink cluster in a process of its own, for tests that submit to it the way users do: a
 * MiniCluster (JobManager with the REST endpoint and web submission, one TaskManager) configured
 * like a real cluster, from the {@code config.yaml} in {@code FLINK_CONF_DIR}. A program that
 * ends the JVM ends this process, which the test sees, instead of the test JVM.
 */
public final class FlinkClusterProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final URI rest;

  private FlinkClusterProcess(Process process, Path log, URI rest) {
    this.process = process;
    this.log = log;
    this.rest = rest;
  }

  /**
   * Starts the cluster with {@code flinkConfig} as its configuration file and waits until its
   * REST endpoint is up.
   *
   * @param classpath the process's classpath (what a cluster has in its lib/)
   */
  public static FlinkClusterProcess start(Path workDir, Map<String, String> flinkConfig,
      List<String> classpath, Duration startTimeout) throws IOException, InterruptedException {
    Path confDir = Files.createDirectories(workDir.resolve("conf"));
    Files.writeString(confDir.resolve("config.yaml"), flinkConfig.entrySet().stream()
        .map(e -> e.getKey() + ": \"" + e.getValue() + "\"")
        .collect(Collectors.joining("\n", "", "\n")));
    Path address = workDir.resolve("rest-address");
    Path log = workDir.resolve("cluster.log");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m",
        "-Djava.io.tmpdir=" + Files.createDirectories(workDir.resolve("tmp")),
        "-Dlog4j.configurationFile=log4j2-test.xml",
        "-Dai.djl.offline=true"));
    // What Flink's distribution passes every Flink JVM on Java 17 (env.java.default-opts.all).
    for (String pkg : List.of("java.lang", "java.net", "java.io", "java.nio", "sun.nio.ch",
        "java.lang.reflect", "java.text", "java.time", "java.util", "java.util.concurrent",
        "java.util.concurrent.atomic", "java.util.concurrent.locks")) {
      command.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", String.join(File.pathSeparator, classpath),
        FlinkClusterProcess.class.getName(), address.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().put("FLINK_CONF_DIR", confDir.toString());
    Process process = builder.start();
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (!Files.exists(address)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("the Flink cluster process did not start"
            + " (see " + log + "):\n" + tail(log));
      }
      Thread.sleep(100);
    }
    return new FlinkClusterProcess(process, log, URI.create(Files.readString(address).strip()));
  }

  /** This JVM's classpath without the given entries (Surefire keeps the real one aside). */
  public static List<String> testClasspathWithout(Path... left) {
    String cp = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<Path> leave = Arrays.stream(left).map(p -> p.toAbsolutePath().normalize()).toList();
    List<Path> entries = Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.isBlank())
        .map(e -> Path.of(e).toAbsolutePath().normalize()).toList();
    if (!entries.containsAll(leave)) {
      throw new IllegalStateException("not on the test classpath: " + leave + " (" + cp + ")");
    }
    return entries.stream().filter(e -> !leave.contains(e)).map(Path::toString).toList();
  }

  public URI rest() {
    return rest;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The process's state and the end of its output, for failure messages. */
  public String describe() {
    return (process.isAlive() ? "running" : "exited with code " + process.exitValue())
        + "; its output ends with:\n" + tail(log);
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Closes the process's stdin (it shuts the cluster down) and waits for it to end. */
  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The cluster process: writes its REST address to {@code args[0]}, lives until stdin closes. */
  public static void main(String[] args) throws Exception {
    Configuration conf = GlobalConfiguration.loadConfiguration();
    MiniClusterConfiguration config = new MiniClusterConfiguration.Builder()
        .setConfiguration(conf)
        .setNumTaskManagers(1)
        .setNumSlotsPerTaskManager(conf.get(TaskManagerOptions.NUM_TASK_SLOTS))
        .build();
    try (MiniCluster cluster = new MiniCluster(config)) {
      cluster.start();
      Path tmp = Path.of(args[0] + ".tmp");
      Files.writeString(tmp, cluster.getRestAddress().get().toString());
      Files.move(tmp, Path.of(args[0]), StandardCopyOption.ATOMIC_MOVE);
      while (System.in.read() != -1) {
        // the test closes our stdin to stop us, and so does its JVM when it ends
      }
    }
  }
}
