package dev.flinkreranker.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes safetensors files for tests (the format's writer side, kept out of production code). */
public final class SafetensorsWriter {

  /** One tensor to write: float values stored as {@code dtype}. */
  public record Tensor(DType dtype, long[] shape, float[] values) {}

  private final Map<String, Tensor> tensors = new LinkedHashMap<>();

  public SafetensorsWriter add(String name, DType dtype, long[] shape, float[] values) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for " + n + " elements");
    }
    tensors.put(name, new Tensor(dtype, shape.clone(), values));
    return this;
  }

  /** The value a float becomes once stored as {@code dtype} and read back. */
  public static float roundTrip(DType dtype, float v) {
    return switch (dtype) {
      case F32 -> v;
      case BF16 -> Float16.bf16ToFloat(Float16.floatToBf16(v));
      case F16 -> Float16.f16ToFloat(Float16.floatToF16(v));
    };
  }

  public void writeTo(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      long bytes = (long) t.values.length * t.dtype.bytes();
      ObjectNode n = header.putObject(e.getKey());
      n.put("dtype", t.dtype.name());
      ArrayNode shape = n.putArray("shape");
      for (long d : t.shape) {
        shape.add(d);
      }
      n.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (h.length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
      out.write(len.array());
      out.write(h);
      for (int i = h.length; i < padded; i++) {
        out.write(' ');
      }
      for (Tensor t : tensors.values()) {
        ByteBuffer buf =
            ByteBuffer.allocate(t.values.length * t.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : t.values) {
          switch (t.dtype) {
            case F32 -> buf.putFloat(v);
            case BF16 -> buf.putShort(Float16.floatToBf16(v));
            case F16 -> buf.putShort(Float16.floatToF16(v));
          }
        }
        out.write(buf.array());
      }
    }
  }
}
