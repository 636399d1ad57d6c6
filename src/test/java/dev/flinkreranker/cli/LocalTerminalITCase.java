package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer sees: `local --once` run as its own process, exactly as from a shell, with
 * everything it writes to the terminal (stdout and stderr) captured.
 */
class LocalTerminalITCase {

  /** A log line of our patterns, or what log4j/JUL/a stack trace would put on a terminal. */
  private static final Pattern LOG_LINE = Pattern.compile(
      "^\\d{2}:\\d{2}:\\d{2}.*\\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE)\\b.*"
          + "|^(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE)\\b.*"
          + "|^\\s+at [\\w.$]+\\(.*\\)$|^Caused by: .*|^[\\w.$]+(Exception|Error)(: .*)?$"
          + "|^SLF4J.*|^log4j:.*");

  @TempDir Path tmp;

  @Test
  void localOncePrintsTablesAndTheLogFilePathButNoLogLines() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process local = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "local", "--once", "--model", "lexical",
        "--dashboard-port", String.valueOf(port), "--samples", "job/samples", "--timeout", "PT4M")
        .redirectErrorStream(true)
        .start();
    local.getOutputStream().close();
    String terminal = new String(local.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, local.waitFor(), terminal);

    for (String line : terminal.split("\n")) {
      assertTrue(!LOG_LINE.matcher(line).matches(), "a log line on the terminal: " + line
          + "\n---\n" + terminal);
    }
    // Results as tables, top-1 marked; counts in words.
    assertTrue(terminal.contains("━━ seed-4-arabic-pdf"), terminal);
    assertTrue(terminal.contains("  rank  score   id"), terminal);
    assertTrue(terminal.contains("★ 1"), terminal);
    assertTrue(terminal.contains(" results, 1 dead letter.\n"), terminal);

    // The path it printed is a file with the logs.
    Matcher logs = Pattern.compile("(?m)^Logs: (.+)$").matcher(terminal);
    assertTrue(logs.find(), terminal);
    Path file = Path.of(logs.group(1).strip());
    assertTrue(file.startsWith(tmp), file.toString());
    List<String> logged = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertTrue(logged.stream().anyMatch(l -> l.contains(" INFO ") && l.contains("ScoringService")),
        String.join("\n", logged));
  }
}
