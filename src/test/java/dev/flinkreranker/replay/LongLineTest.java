package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.kafka.RecordEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lines longer than input.max-record-bytes are read in bounded memory: the 64 MiB line below goes
 * through a gzip stream into a reader limited to 1 KiB, which keeps 1025 bytes of it and the size
 * and SHA-256 of the whole line; the lines around it are read as usual.
 */
class LongLineTest {
  private static final int LIMIT = 1024;
  private static final long HUGE = 64L << 20;

  @TempDir Path tmp;

  /**
   * Writes a line of {@code size} bytes (no newline), {@code head} then {@code fill}, through a
   * 64 KiB chunk, and returns its SHA-256.
   */
  private static byte[] writeLine(OutputStream out, String start, long size, byte fill) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[1 << 16];
    Arrays.fill(chunk, fill);
    byte[] head = start.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, chunk, 0, head.length);
    for (long left = size; left > 0; ) {
      int n = (int) Math.min(left, chunk.length);
      out.write(chunk, 0, n);
      sha.update(chunk, 0, n);
      left -= n;
      Arrays.fill(chunk, 0, head.length, fill); // the head only once
    }
    return sha.digest();
  }

  @Test
  void aLineOverTheLimitIsCutWithItsSizeAndHashAndTheNextLinesFollow() throws Exception {
    Path f = tmp.resolve("log.jsonl.gz");
    String first = "{\"request_id\":\"a\"}";
    String exact = "x".repeat(LIMIT); // at the limit: kept whole
    byte[] hugeSha;
    byte[] crlfSha;
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f), 1 << 16)) {
      out.write((first + "\n").getBytes(StandardCharsets.UTF_8));               // line 1
      hugeSha = writeLine(out, "{\"request_id\":\"huge\",\"query\":\"", HUGE, (byte) 'q');                                // line 2
      out.write("\n\n".getBytes(StandardCharsets.UTF_8));                        // line 3 blank
      out.write((exact + "\n").getBytes(StandardCharsets.UTF_8));               // line 4
      crlfSha = writeLine(out, "{", 3 * LIMIT + 7, (byte) 'z');                       // line 5, CRLF
      out.write("\r\n".getBytes(StandardCharsets.UTF_8));
      writeLine(out, "\t", 5L << 20, (byte) ' ');                                      // line 6 blank
      out.write("\n{\"request_id\":\"last\"}".getBytes(StandardCharsets.UTF_8)); // line 7, no \n
    }

    List<RawRecord> records = read(f);
    assertEquals(List.of(1L, 2L, 4L, 5L, 7L), records.stream().map(RawRecord::getOffset).toList());

    RawRecord small = records.get(0);
    assertEquals(first, text(small));
    assertNull(small.getOriginalSize());
    assertNull(small.getOriginalSha256());

    RawRecord huge = records.get(1);
    byte[] prefix = RecordEncoding.bytes(huge.getValue());
    assertEquals(LIMIT + 1, prefix.length, "only max-record-bytes + 1 bytes are kept");
    assertEquals("{\"request_id\":\"huge\",\"query\":\"" + "q".repeat(LIMIT + 1 - 30), text(huge));
    assertEquals(HUGE, huge.getOriginalSize());
    assertEquals(HexFormat.of().formatHex(hugeSha), huge.getOriginalSha256());

    assertEquals(exact, text(records.get(2)));
    assertNull(records.get(2).getOriginalSize());

    RawRecord crlf = records.get(3);
    assertEquals(3L * LIMIT + 7, crlf.getOriginalSize(), "the \\r of \\r\\n is not part of the line");
    assertEquals(HexFormat.of().formatHex(crlfSha), crlf.getOriginalSha256());
    assertEquals(LIMIT + 1, crlf.getValue().remaining());

    assertEquals("{\"request_id\":\"last\"}", text(records.get(4)));
    // The up-front count agrees: blank lines (however long) are not records.
    assertEquals(5, LogFiles.countRecords(f));
  }

  @Test
  void lineReaderKeepsAtMostTheLimitPlusOneWhateverTheLine() throws Exception {
    byte[] data = ("ab\r\n" + "c".repeat(10) + "\r" + "d".repeat(5) + "\n\r\n").getBytes(StandardCharsets.US_ASCII);
    LogFiles.LineReader lines = new LogFiles.LineReader(new java.io.ByteArrayInputStream(data), 4);
    assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), lines.next());
    assertEquals(2, lines.size());
    assertNull(lines.sha256());
    assertArrayEquals("ccccc".getBytes(StandardCharsets.US_ASCII), lines.next());
    assertEquals(16, lines.size()); // a '\r' inside the line is content
    byte[] whole = ("c".repeat(10) + "\r" + "d".repeat(5)).getBytes(StandardCharsets.US_ASCII);
    assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(whole)), lines.sha256());
    assertArrayEquals(new byte[0], lines.next());
    assertEquals(3, lines.lineNumber());
    assertNull(lines.next());
  }

  private static String text(RawRecord r) {
    return new String(RecordEncoding.bytes(r.getValue()), StandardCharsets.UTF_8);
  }

  private static List<RawRecord> read(Path f) throws IOException {
    long size = Files.size(f);
    FileSourceSplit split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(f.toUri()), 0, size, 0, size);
    List<RawRecord> out = new ArrayList<>();
    try (BulkFormat.Reader<RawRecord> reader = new CandidateLogFormat(LIMIT).createReader(new Configuration(), split)) {
      for (BulkFormat.RecordIterator<RawRecord> batch; (batch = reader.readBatch()) != null; ) {
        for (RecordAndPosition<RawRecord> r; (r = batch.next()) != null; ) {
          out.add(r.getRecord());
        }
        batch.releaseBatch();
      }
    }
    return out;
  }
}
