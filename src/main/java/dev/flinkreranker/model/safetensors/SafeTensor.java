package dev.flinkreranker.model.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One tensor of a safetensors file. Its bytes stay in the file: they are memory mapped on first use,
 * region by region (a mapping is limited to 2 GiB, and shards of 8B checkpoints are ~5 GB), and
 * converted to float on read.
 */
public final class SafeTensor {
  /** Bytes per mapping; a multiple of every element size, so no element straddles two chunks. */
  static final long CHUNK_BYTES = 1L << 30;

  private final Path file;
  private final String name;
  private final DType dtype;
  private final long[] shape;
  private final long fileOffset;
  private final long byteLength;
  private final long chunkBytes;
  private final MappedByteBuffer[] chunks;

  SafeTensor(Path file, String name, DType dtype, long[] shape, long fileOffset, long byteLength) {
    this(file, name, dtype, shape, fileOffset, byteLength, CHUNK_BYTES);
  }

  /** {@code chunkBytes} must be a multiple of 4; tests use small chunks to cross chunk borders. */
  SafeTensor(
      Path file,
      String name,
      DType dtype,
      long[] shape,
      long fileOffset,
      long byteLength,
      long chunkBytes) {
    this.file = file;
    this.name = name;
    this.dtype = dtype;
    this.shape = shape.clone();
    this.fileOffset = fileOffset;
    this.byteLength = byteLength;
    this.chunkBytes = chunkBytes;
    this.chunks = new MappedByteBuffer[(int) ((byteLength + chunkBytes - 1) / chunkBytes)];
  }

  public Path file() {
    return file;
  }

  public String name() {
    return name;
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Fails with a message naming file and tensor unless the shape is exactly {@code expected}. */
  public SafeTensor requireShape(long... expected) throws SafetensorsException {
    if (!Arrays.equals(shape, expected)) {
      throw new SafetensorsException(
          file,
          name,
          "wrong shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
    }
    return this;
  }

  /** Converts {@code count} elements starting at element {@code from} to float. */
  public void readFloats(long from, float[] dst, int off, int count) {
    if (from < 0 || count < 0 || from + count > elementCount()) {
      throw new IndexOutOfBoundsException(
          name + ": elements [" + from + ", " + (from + count) + ") of " + elementCount());
    }
    int size = dtype.bytes();
    int done = 0;
    while (done < count) {
      long byteOff = (from + done) * size;
      int chunk = (int) (byteOff / chunkBytes);
      ByteBuffer buf = chunk(chunk);
      int pos = (int) (byteOff % chunkBytes);
      int n = Math.min(count - done, (buf.limit() - pos) / size);
      convert(buf, pos, dst, off + done, n);
      done += n;
    }
  }

  /** The whole tensor as floats (at most 2^31 − 9 elements). */
  public float[] toFloats() {
    float[] out = new float[checkedIntCount()];
    readFloats(0, out, 0, out.length);
    return out;
  }

  private int checkedIntCount() {
    long n = elementCount();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(
          file + ": tensor '" + name + "' has " + n + " elements, too many for one Java array");
    }
    return (int) n;
  }

  private void convert(ByteBuffer buf, int pos, float[] dst, int off, int n) {
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().get(pos / 4, dst, off, n);
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = Float16.bf16ToFloat(buf.getShort(pos + 2 * i));
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          dst[off + i] = Float16.f16ToFloat(buf.getShort(pos + 2 * i));
        }
      }
    }
  }

  private synchronized ByteBuffer chunk(int i) {
    MappedByteBuffer m = chunks[i];
    if (m == null) {
      long start = i * chunkBytes;
      long len = Math.min(chunkBytes, byteLength - start);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        // The mapping stays valid after the channel is closed.
        m = ch.map(FileChannel.MapMode.READ_ONLY, fileOffset + start, len);
      } catch (IOException e) {
        throw new UncheckedIOException(
            new SafetensorsException(file, name, "cannot map tensor data: " + e.getMessage(), e));
      }
      m.order(ByteOrder.LITTLE_ENDIAN);
      chunks[i] = m;
    }
    // A duplicate carries its own position/limit and byte order must be set again on it.
    return m.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The same tensor mapped in chunks of {@code bytes} (for tests of chunk borders). */
  SafeTensor withChunkBytes(long bytes) {
    return new SafeTensor(file, name, dtype, shape, fileOffset, byteLength, bytes);
  }

  @Override
  public String toString() {
    return name + " " + dtype + Arrays.toString(shape) + " in " + file.getFileName();
  }
}
