package dev.flinkreranker.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress output with a fake clock: what operators see in logs and terminals. */
class ProgressTest {
  private final AtomicLong nanos = new AtomicLong();

  @Test
  void logLinesEveryTenPercent() {
    List<String> lines = new ArrayList<>();
    ProgressSink.FileProgress p = new LogProgress(lines::add, nanos::get).start("model.safetensors", 1_000_000, 0);
    for (int i = 0; i < 100; i++) {
      nanos.addAndGet(10_000_000L); // 10 ms per 10 KB: 1 MB/s
      p.advance(10_000);
    }
    p.finish();

    assertEquals("downloading model.safetensors (1.00 MB)", lines.get(0));
    assertEquals(11, lines.size(), String.join("\n", lines)); // start, 10 %..90 %, finish
    assertEquals("model.safetensors: 10% 100 KB of 1.00 MB, 1.00 MB/s, ETA 0:00", lines.get(1));
    assertTrue(lines.get(10).startsWith("finished model.safetensors: 1.00 MB in 0:01 (1.00 MB/s)"), lines.get(10));
  }

  @Test
  void smallFilesAreNotWorthALogLine() {
    List<String> lines = new ArrayList<>();
    ProgressSink.FileProgress p = new LogProgress(lines::add, nanos::get).start("config.json", 1_234, 0);
    p.advance(1_234);
    p.finish();

    assertEquals(List.of(), lines);
  }

  @Test
  void logLinesEveryFiveSecondsWhenSlow() {
    List<String> lines = new ArrayList<>();
    ProgressSink.FileProgress p = new LogProgress(lines::add, nanos::get).start("big.safetensors", 10_000_000_000L, 0);
    for (int second = 1; second <= 12; second++) {
      nanos.addAndGet(1_000_000_000L);
      p.advance(1_000_000); // 1 MB/s: 0.01 % per second, far below a 10 % step
    }

    assertEquals(3, lines.size(), String.join("\n", lines)); // start, at 5 s, at 10 s
    assertTrue(lines.get(1).startsWith("big.safetensors: 0% 5.00 MB of 10.0 GB, 1.00 MB/s, ETA 2:46:"), lines.get(1));
  }

  @Test
  void resumedDownloadCountsOnlyNewBytesInTheRate() {
    List<String> lines = new ArrayList<>();
    ProgressSink.FileProgress p = new LogProgress(lines::add, nanos::get).start("m.safetensors", 1_000_000, 500_000);
    nanos.addAndGet(1_000_000_000L);
    p.advance(100_000);

    assertEquals("downloading m.safetensors (1.00 MB), resuming at 500 KB", lines.get(0));
    assertEquals("m.safetensors: 60% 600 KB of 1.00 MB, 100 KB/s, ETA 0:04", lines.get(1));
  }

  @Test
  void terminalBarShowsBytesRateAndEta() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    ProgressSink.FileProgress p = new TerminalProgressBar(out, nanos::get).start("model.safetensors", 2_000_000, 0);
    nanos.addAndGet(1_000_000_000L);
    p.advance(1_000_000);
    p.finish();

    String text = buf.toString(StandardCharsets.UTF_8);
    String[] frames = text.split("\r");
    String half = frames[2];
    assertTrue(half.contains("[############............]  50% 1.00 MB/2.00 MB  1.00 MB/s  ETA 0:01"), half);
    assertTrue(text.endsWith(System.lineSeparator()), "the bar ends its line when done");
  }

  @Test
  void humanSizes() {
    assertEquals("999 B", Bytes.human(999));
    assertEquals("1.54 KB", Bytes.human(1536));
    assertEquals("1.19 GB", Bytes.human(1_191_586_416L));
    assertEquals("1:02:03", Bytes.duration(3723));
  }
}
