package dev.flinkreranker.model.qwen3;

import dev.flinkreranker.model.safetensors.SafeTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A weight tensor on the host, readable as float: a memory-mapped checkpoint tensor, or generated
 * weights for benchmarks. The model copies what it needs to the device and keeps the embedding
 * here (it only ever needs the rows of the input tokens).
 */
public interface HostTensor {

  long[] shape();

  /** Converts {@code count} elements starting at element {@code from} (row-major) to float. */
  void readFloats(long from, float[] dst, int off, int count);

  default long elementCount() {
    return Arrays.stream(shape()).reduce(1, (a, b) -> a * b);
  }

  /** Row {@code r} of a 2-D tensor. */
  default float[] row(long r) {
    long cols = shape()[1];
    float[] out = new float[Math.toIntExact(cols)];
    readFloats(r * cols, out, 0, out.length);
    return out;
  }

  /** The whole tensor as a native-order direct buffer, for the engine. */
  default FloatBuffer toDirectFloats() {
    int n = Math.toIntExact(elementCount());
    FloatBuffer out =
        ByteBuffer.allocateDirect(Math.multiplyExact(n, Float.BYTES))
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    float[] block = new float[Math.min(n, 1 << 20)];
    for (int start = 0; start < n; start += block.length) {
      int len = Math.min(block.length, n - start);
      readFloats(start, block, 0, len);
      out.put(block, 0, len);
    }
    return out.flip();
  }

  /** A checkpoint tensor. */
  static HostTensor of(SafeTensor t) {
    return new HostTensor() {
      @Override
      public long[] shape() {
        return t.shape();
      }

      @Override
      public void readFloats(long from, float[] dst, int off, int count) {
        t.readFloats(from, dst, off, count);
      }

      @Override
      public String toString() {
        return t.toString();
      }
    };
  }

  /**
   * Deterministic pseudo-random weights, uniform in [−scale, scale) (plus {@code offset}), computed
   * from the element index so nothing is materialized on the host.
   */
  static HostTensor random(long seed, float offset, float scale, long... shape) {
    return new InMemory(shape, (from, dst, off, count) -> {
      for (int i = 0; i < count; i++) {
        long z = mix(seed * 0x9E3779B97F4A7C15L + from + i);
        float u = (z >>> 40) * 0x1p-24f; // [0, 1)
        dst[off + i] = offset + scale * (2f * u - 1f);
      }
    });
  }

  /** A copy of {@code t} held in one float array (at most 2^31 − 1 elements). */
  static HostTensor materialize(HostTensor t) {
    float[] data = new float[Math.toIntExact(t.elementCount())];
    t.readFloats(0, data, 0, data.length);
    return new InMemory(t.shape(), (from, dst, off, count) ->
        System.arraycopy(data, Math.toIntExact(from), dst, off, count));
  }

  /** Reads {@code count} floats from element {@code from} into {@code dst[off…]}. */
  @FunctionalInterface
  interface Reader {
    void read(long from, float[] dst, int off, int count);
  }

  /** A tensor computed or held in the JVM rather than read from a checkpoint file. */
  record InMemory(long[] dims, Reader reader) implements HostTensor {
    public InMemory {
      dims = dims.clone();
    }

    @Override
    public long[] shape() {
      return dims.clone();
    }

    @Override
    public void readFloats(long from, float[] dst, int off, int count) {
      reader.read(from, dst, off, count);
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
