package dev.flinkreranker.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}}), then the raw data. Only the header is read here;
 * tensor bytes are mapped on demand by {@link SafeTensor}.
 */
public final class SafetensorsFile {
  /** Headers beyond this are certainly corrupt (the reference implementation caps at 100 MB). */
  private static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;
  /** File offset of the first data byte (8 + header length). */
  private final long dataStart;

  private record Entry(String dtype, long[] shape, long begin, long end) {}

  private SafetensorsFile(
      Path file, Map<String, Entry> entries, Map<String, String> metadata, long dataStart) {
    this.file = file;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Reads and validates the header of {@code file}. */
  public static SafetensorsFile open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new SafetensorsException(file, null, "no such file");
    }
    long fileSize = Files.size(file);
    if (fileSize < 8) {
      throw new SafetensorsException(file, null, "truncated: " + fileSize + " bytes, no header length");
    }
    byte[] headerBytes;
    long headerLen;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      headerLen = lenBuf.flip().getLong();
      if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
        throw new SafetensorsException(file, null, "corrupt: implausible header length " + headerLen);
      }
      if (8 + headerLen > fileSize) {
        throw new SafetensorsException(
            file, null, "truncated: header of " + headerLen + " bytes but the file has " + fileSize);
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, 8);
      headerBytes = hb.array();
    }
    JsonNode root;
    try {
      root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new SafetensorsException(file, null, "bad header JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsException(file, null, "bad header JSON: not an object");
    }
    long dataLen = fileSize - 8 - headerLen;
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) {
        f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataLen));
    }
    requireDisjoint(file, entries);
    return new SafetensorsFile(file, Collections.unmodifiableMap(entries), metadata, 8 + headerLen);
  }

  private static Entry parseEntry(Path file, String name, JsonNode n, long dataLen)
      throws SafetensorsException {
    JsonNode dtype = n.get("dtype");
    JsonNode shape = n.get("shape");
    JsonNode offsets = n.get("data_offsets");
    if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
        || !offsets.isArray() || offsets.size() != 2) {
      throw new SafetensorsException(
          file, name, "bad header JSON: expected {dtype, shape, data_offsets[2]} but got " + n);
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      if (!isLong(shape.get(i)) || shape.get(i).asLong() < 0) {
        throw new SafetensorsException(file, name, "bad header JSON: invalid shape " + shape);
      }
      dims[i] = shape.get(i).asLong();
    }
    // asLong() would silently wrap an offset past the long range (2^64 + 8 reads as 8).
    if (!isLong(offsets.get(0)) || !isLong(offsets.get(1))) {
      throw new SafetensorsException(file, name, "corrupt: data_offsets " + offsets
          + " are not byte offsets (integers from 0 to " + Long.MAX_VALUE + ")");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin) {
      throw new SafetensorsException(file, name, "corrupt: invalid data_offsets " + offsets);
    }
    if (end > dataLen) {
      throw new SafetensorsException(
          file,
          name,
          "truncated: data ends at byte " + end + " but the file holds only " + dataLen
              + " data bytes");
    }
    DType dt = DType.parseOrNull(dtype.asText());
    if (dt != null) {
      long elements;
      try {
        elements = 1;
        for (long d : dims) {
          elements = Math.multiplyExact(elements, d);
        }
        Math.multiplyExact(elements, dt.bytes());
      } catch (ArithmeticException e) {
        throw new SafetensorsException(file, name, "corrupt: shape " + shape + " of " + dt
            + " holds more bytes than a file can (" + Long.MAX_VALUE + ")");
      }
      if (elements * dt.bytes() != end - begin) {
        throw new SafetensorsException(
            file,
            name,
            "corrupt: " + (end - begin) + " data bytes for " + elements + " elements of "
                + dt);
      }
    }
    return new Entry(dtype.asText(), dims, begin, end);
  }

  private static boolean isLong(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToLong();
  }

  /**
   * Two tensors whose bytes overlap would silently share (and one would corrupt) weights; the
   * reference implementation rejects such a header, so do we. Empty tensors occupy no bytes.
   */
  private static void requireDisjoint(Path file, Map<String, Entry> entries)
      throws SafetensorsException {
    List<Map.Entry<String, Entry>> byBegin = new ArrayList<>(entries.entrySet());
    byBegin.removeIf(e -> e.getValue().end() == e.getValue().begin());
    byBegin.sort(Comparator.comparingLong(e -> e.getValue().begin()));
    for (int i = 1; i < byBegin.size(); i++) {
      Map.Entry<String, Entry> a = byBegin.get(i - 1);
      Map.Entry<String, Entry> b = byBegin.get(i);
      if (b.getValue().begin() < a.getValue().end()) {
        throw new SafetensorsException(file, null, "corrupt: tensors '" + a.getKey()
            + "' (data_offsets [" + a.getValue().begin() + ", " + a.getValue().end() + "]) and '"
            + b.getKey() + "' (data_offsets [" + b.getValue().begin() + ", " + b.getValue().end()
            + "]) overlap");
      }
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  public Path file() {
    return file;
  }

  public Set<String> names() {
    return entries.keySet();
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  public Map<String, String> metadata() {
    return Collections.unmodifiableMap(metadata);
  }

  /** The tensor {@code name}; fails for a missing tensor or a dtype we cannot convert to float. */
  public SafeTensor tensor(String name) throws SafetensorsException {
    Entry e = entries.get(name);
    if (e == null) {
      throw new SafetensorsException(file, name, "missing tensor");
    }
    DType dt = DType.parseOrNull(e.dtype);
    if (dt == null) {
      throw new SafetensorsException(
          file, name, "unsupported dtype " + e.dtype + " (readable: BF16, F16, F32)");
    }
    return new SafeTensor(file, name, dt, e.shape, dataStart + e.begin, e.end - e.begin);
  }

}
