package dev.flinkreranker.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsReaderTest {
  @TempDir Path tmp;

  private static float[] values(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * 3);
    }
    return v;
  }

  private static float[] rounded(DType t, float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = SafetensorsWriter.roundTrip(t, v[i]);
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void readsEveryDtype(DType dtype) throws IOException {
    float[] a = values(6 * 7, 1);
    float[] b = values(5, 2);
    Path f = tmp.resolve("m.safetensors");
    new SafetensorsWriter()
        .add("a", dtype, new long[] {6, 7}, a)
        .add("b", dtype, new long[] {5}, b)
        .writeTo(f);
    SafetensorsFile file = SafetensorsFile.open(f);
    assertEquals(java.util.Set.of("a", "b"), file.names());
    SafeTensor ta = file.tensor("a").requireShape(6, 7);
    assertEquals(dtype, ta.dtype());
    assertArrayEquals(rounded(dtype, a), ta.toFloats());
    assertArrayEquals(rounded(dtype, b), file.tensor("b").toFloats());
    float[] row = new float[7];
    ta.readFloats(14, row, 0, 7);
    assertArrayEquals(Arrays.copyOfRange(rounded(dtype, a), 14, 21), row);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void readsAcrossMappingChunks(DType dtype) throws IOException {
    float[] a = values(1000, 3);
    Path f = tmp.resolve("c.safetensors");
    new SafetensorsWriter().add("x", DType.F32, new long[] {1}, new float[] {1}).add("a", dtype, new long[] {1000}, a).writeTo(f);
    // 12-byte chunks: F32 elements and half elements both straddle chunk ends regularly.
    SafeTensor t = SafetensorsFile.open(f).tensor("a").withChunkBytes(12);
    assertArrayEquals(rounded(dtype, a), t.toFloats());
    float[] part = new float[333];
    t.readFloats(401, part, 0, 333);
    assertArrayEquals(Arrays.copyOfRange(rounded(dtype, a), 401, 734), part);
  }

  @Test
  void shardedCheckpointResolvesEveryTensorThroughTheIndex() throws IOException {
    new SafetensorsWriter().add("w1", DType.BF16, new long[] {2}, new float[] {1, 2}).writeTo(tmp.resolve("s1.safetensors"));
    new SafetensorsWriter().add("w2", DType.F16, new long[] {3}, new float[] {3, 4, 5}).writeTo(tmp.resolve("s2.safetensors"));
    Files.writeString(
        tmp.resolve(SafetensorsCheckpoint.INDEX_FILE),
        "{\"metadata\":{},\"weight_map\":{\"w1\":\"s1.safetensors\",\"w2\":\"s2.safetensors\"}}");
    SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(tmp);
    assertArrayEquals(new float[] {1, 2}, ck.tensor("w1", 2).toFloats());
    assertArrayEquals(new float[] {3, 4, 5}, ck.tensor("w2", 3).toFloats());
    assertEquals(tmp.resolve("s2.safetensors"), ck.tensor("w2").file());
  }

  private Path small() throws IOException {
    Path f = tmp.resolve("model.safetensors");
    new SafetensorsWriter().add("layer.weight", DType.BF16, new long[] {4, 8}, values(32, 4)).writeTo(f);
    return f;
  }

  private static void assertMessage(Exception e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
    }
  }

  @Test
  void truncatedDataNamesFileAndTensor() throws IOException {
    Path f = small();
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 3));
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f));
    assertMessage(e, f.toString(), "layer.weight", "truncated");
  }

  @Test
  void truncatedHeaderNamesFile() throws IOException {
    Path f = small();
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, 20));
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "truncated");
    Files.write(f, Arrays.copyOf(all, 5));
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "truncated");
  }

  @Test
  void badHeaderJson() throws IOException {
    Path f = tmp.resolve("bad.safetensors");
    writeRaw(f, "{\"a\": {\"dtype\": \"F32\", ");
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "bad header JSON");
  }

  @Test
  void implausibleHeaderLength() throws IOException {
    Path f = tmp.resolve("garbage.safetensors");
    Files.write(f, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "header length");
  }

  @Test
  void missingTensorNamesFileAndTensor() throws IOException {
    Path f = small();
    SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(tmp);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> ck.tensor("lm_head.weight"));
    assertMessage(e, f.toString(), "lm_head.weight", "missing tensor");
  }

  @Test
  void wrongShapeNamesFileTensorAndBothShapes() throws IOException {
    Path f = small();
    SafetensorsCheckpoint ck = SafetensorsCheckpoint.open(tmp);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> ck.tensor("layer.weight", 8, 4));
    assertMessage(e, f.toString(), "layer.weight", "[4, 8]", "[8, 4]");
  }

  @Test
  void unsupportedDtypeNamesFileAndTensor() throws IOException {
    Path f = tmp.resolve("ints.safetensors");
    writeRaw(f, "{\"positions\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 1, 2);
    SafetensorsFile file = SafetensorsFile.open(f); // other tensors of the file stay readable
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> file.tensor("positions"));
    assertMessage(e, f.toString(), "positions", "unsupported dtype I64");
  }

  @Test
  void sizeDisagreeingWithShapeIsCorrupt() throws IOException {
    Path f = tmp.resolve("odd.safetensors");
    writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 0);
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'w'", "corrupt");
  }

  @Test
  void overlappingDataOffsetsNameFileAndBothTensors() throws IOException {
    Path f = tmp.resolve("overlap.safetensors");
    writeRaw(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 1, 2);
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'a'", "'b'", "overlap");
    // Touching is fine, and an empty tensor occupies no bytes.
    writeRaw(f, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 1, 2);
    assertEquals(java.util.Set.of("a", "e", "b"), SafetensorsFile.open(f).names());
  }

  @Test
  void sizesPastTheLongRangeNameTheFile() throws IOException {
    Path f = tmp.resolve("overflow.safetensors");
    // Elements fit in a long, bytes (x4) do not: wrapped to 0 they would match data_offsets [0,0].
    writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}");
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'w'", "corrupt");
    // The product of the dimensions itself overflows.
    writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,2],\"data_offsets\":[0,8]}}", 0);
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'w'", "corrupt");
    // An offset past the long range (2^64 + 8) must not wrap to 8.
    writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551624]}}", 0);
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'w'", "data_offsets");
    writeRaw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 0);
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "'w'", "shape");
    // A header length beyond the file, and one that is negative as a signed long.
    for (long len : new long[] {1000, Long.MAX_VALUE, -1}) {
      ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(len).putLong(0);
      Files.write(f, b.array());
      assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(f)), f.toString(), "header");
    }
  }

  @Test
  void indexPointingAtAMissingTensorOrShard() throws IOException {
    new SafetensorsWriter().add("w1", DType.F32, new long[] {1}, new float[] {1}).writeTo(tmp.resolve("s1.safetensors"));
    Path index = tmp.resolve(SafetensorsCheckpoint.INDEX_FILE);
    Files.writeString(index, "{\"weight_map\":{\"w1\":\"s1.safetensors\",\"w9\":\"s1.safetensors\"}}");
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp)), "s1.safetensors", "w9", "missing tensor");
    Files.writeString(index, "{\"weight_map\":{\"w1\":\"s7.safetensors\"}}");
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp)), "s7.safetensors", "no such file");
    Files.writeString(index, "{\"weight_map\": [");
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp)), index.toString(), "bad index JSON");
  }

  @Test
  void directoryWithoutWeights() {
    assertMessage(assertThrows(SafetensorsException.class, () -> SafetensorsCheckpoint.open(tmp)), tmp.toString(), "model.safetensors");
  }

  /**
   * A safetensors file written by hand: the little-endian header length, {@code header} as is
   * (valid or not), then {@code payload} as little-endian 8-byte words.
   */
  private static void writeRaw(Path f, String header, long... payload) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 8 * payload.length)
        .order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    for (long word : payload) {
      buf.putLong(word);
    }
    Files.write(f, buf.array());
  }
}
