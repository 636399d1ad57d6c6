package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.cli.Main;
import dev.flinkreranker.testutil.CandidateSets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.apache.avro.file.CodecFactory;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged Avro container log stops the replay before anything runs, with one line naming the
 * file, the block and the record (docs/replay-limits.md); the job's reader says the same.
 */
class DamagedAvroLogTest {
  private static final byte[] SYNC = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final int PER_BLOCK = 4;
  private static final int BLOCKS = 3;

  @TempDir Path tmp;
  private final PrintStream stderr = System.err;

  @AfterEach
  void restore() {
    System.setErr(stderr);
  }

  /** BLOCKS blocks of PER_BLOCK records, with a known sync marker so tests can find the blocks. */
  private byte[] container(CodecFactory codec) throws IOException {
    Random random = new Random(5);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataFileWriter<CandidateSet> w =
        new DataFileWriter<>(new SpecificDatumWriter<>(CandidateSet.class))) {
      w.setCodec(codec);
      w.create(CandidateSet.getClassSchema(), out, SYNC);
      for (int b = 0; b < BLOCKS; b++) {
        for (int i = 0; i < PER_BLOCK; i++) {
          w.append(CandidateSets.generate(b * PER_BLOCK + i, random).set());
        }
        w.sync(); // ends the block
      }
    }
    return out.toByteArray();
  }

  /** Offset of the n-th occurrence (0 = the header's) of the sync marker. */
  private static int sync(byte[] file, int n) {
    for (int i = 0, seen = 0; i + SYNC.length <= file.length; i++) {
      if (Arrays.equals(file, i, i + SYNC.length, SYNC, 0, SYNC.length) && seen++ == n) {
        return i;
      }
    }
    throw new IllegalArgumentException("no sync marker " + n);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path f = tmp.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private static String countError(Path f) {
    return assertThrows(IllegalArgumentException.class, () -> LogFiles.countRecords(f)).getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String p : parts) {
      assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
    }
    assertFalse(message.contains("\n"), "one line: " + message);
  }

  @Test
  void intactContainerCountsEveryRecord() throws IOException {
    Path f = write("ok.avro", container(CodecFactory.deflateCodec(1)));
    assertEquals(BLOCKS * PER_BLOCK, LogFiles.countRecords(f));
  }

  @Test
  void badSyncMarkerNamesFileBlockAndRecord() throws IOException {
    byte[] bytes = container(CodecFactory.nullCodec());
    bytes[sync(bytes, 2) + 3] ^= 0x55; // the marker that ends block 2
    Path f = write("bad-sync.avro", bytes);
    assertMentions(countError(f), f.toString(), "block 2", "record " + (PER_BLOCK + 1), "sync marker");

    // The job's reader says the same, after handing out the intact records before the damage.
    BulkFormat.Reader<RawRecord> reader = new CandidateLogFormat(1 << 20).createReader(new Configuration(),
        new FileSourceSplit("0", new org.apache.flink.core.fs.Path(f.toUri()), 0, bytes.length, 0, bytes.length));
    IOException e = assertThrows(IOException.class, () -> {
      while (reader.readBatch() != null) {
        // drain
      }
    });
    assertMentions(e.getMessage(), f.toString(), "block 2", "sync marker");
    reader.close();
  }

  @Test
  void truncatedFileNamesFileBlockAndRecord() throws IOException {
    byte[] bytes = container(CodecFactory.deflateCodec(1));
    int thirdBlock = sync(bytes, 2) + SYNC.length;
    Path f = write("truncated.avro", Arrays.copyOf(bytes, thirdBlock + 10));
    assertMentions(countError(f), f.toString(), "block 3", "record " + (2 * PER_BLOCK + 1), "truncated");
  }

  @Test
  void unknownCodecNamesFileAndCodec() throws IOException {
    byte[] bytes = container(CodecFactory.deflateCodec(1));
    String header = new String(bytes, 0, sync(bytes, 0), StandardCharsets.ISO_8859_1);
    int at = header.indexOf("deflate");
    byte[] renamed = bytes.clone();
    System.arraycopy("deflat9".getBytes(StandardCharsets.US_ASCII), 0, renamed, at, 7);
    Path f = write("codec.avro", renamed);
    assertMentions(countError(f), f.toString(), "unknown codec", "deflat9");
  }

  @Test
  void wrongCodecNamesFileAndBlock() throws IOException {
    // Blocks written raw (null codec), the header claiming zstandard: the first block does not
    // decompress.
    byte[] bytes = container(CodecFactory.nullCodec());
    Path f = write("wrong-codec.avro", withCodec(bytes, "null", "zstandard"));
    assertMentions(countError(f), f.toString(), "block 1", "record 1", "zstandard");
  }

  @Test
  void notAnAvroFileAndTheReplayCommandPrintOneLine() throws IOException {
    Path f = write("not-avro.avro", "this is not Avro".getBytes(StandardCharsets.US_ASCII));
    assertMentions(countError(f), f.toString(), "not a readable Avro container");

    byte[] bytes = container(CodecFactory.nullCodec());
    bytes[sync(bytes, 1) + 1] ^= 0x55;
    Path damaged = write("cli.avro", bytes);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc = Main.run("replay", "--input", damaged.toString(), "--output", tmp.resolve("out").toString(), "--model", "lexical");
    System.setErr(stderr);
    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, rc, e);
    assertTrue(e.startsWith("error: " + damaged + ": damaged Avro container at block 1"), e);
    assertFalse(e.contains("\tat ") || e.contains("Exception"), "no stack trace: " + e);
    assertFalse(Files.exists(tmp.resolve("out").resolve("results")), "nothing was replayed");
  }

  /**
   * The container with its header's codec string replaced (the header's metadata value is a
   * length-prefixed string: the zig-zag varint before it is rewritten for the new length).
   */
  private static byte[] withCodec(byte[] bytes, String from, String to) {
    String header = new String(bytes, 0, sync(bytes, 0), StandardCharsets.ISO_8859_1);
    int at = header.indexOf("avro.codec") + "avro.codec".length();
    assertEquals(from.length() * 2, bytes[at], "one-byte length of the codec string");
    assertEquals(from, new String(bytes, at + 1, from.length(), StandardCharsets.US_ASCII));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, at);
    out.write(to.length() * 2);
    out.writeBytes(to.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes, at + 1 + from.length(), bytes.length - at - 1 - from.length());
    return out.toByteArray();
  }
}
