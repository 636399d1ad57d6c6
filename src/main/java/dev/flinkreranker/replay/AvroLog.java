package dev.flinkreranker.replay;

import dev.flinkreranker.avro.CandidateSet;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileConstants;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * The records of an Avro container log, resolved from the file's writer schema to CandidateSet.
 * A damaged container (not Avro, an unknown or unavailable codec, a bad sync marker, a block cut
 * short, a record that does not decode) is one {@link DamagedLogException} naming the file, the
 * block and the record, instead of Avro's bare exceptions. Nothing after the damage can be trusted:
 * a container has no record boundaries inside a block, and a bad sync marker means the block
 * boundaries themselves are lost.
 */
final class AvroLog implements Closeable {
  /** CandidateSet without the String hints, so strings stay raw Utf8 bytes (see CandidateSetCodec). */
  static final String RAW_SCHEMA = CandidateSet.getClassSchema().toString()
      .replace(",\"avro.java.string\":\"String\"", "");

  /** A damaged log file; the message is one line for the user. */
  static final class DamagedLogException extends IOException {
    DamagedLogException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final String file;
  private final DataFileStream<GenericRecord> stream;
  private final String codec;
  /** 1-based number of the block being read (0 before the first). */
  private long block;
  private long leftInBlock;
  /** Records returned so far. */
  private long records;

  AvroLog(InputStream in, String file) throws DamagedLogException {
    this.file = file;
    try {
      GenericDatumReader<GenericRecord> reader =
          new GenericDatumReader<>(null, new Schema.Parser().parse(RAW_SCHEMA));
      this.stream = new DataFileStream<>(in, reader);
    } catch (IOException | RuntimeException e) {
      throw new DamagedLogException(file + ": not a readable Avro container file: "
          + reason(e) + "; " + ADVICE, e);
    }
    String c = stream.getMetaString("avro.codec");
    this.codec = c == null ? "null" : c;
  }

  private static final String ADVICE =
      "nothing was replayed: repair or re-export the file, or leave it out of the input";

  /** The next record, or null at the end of the file. */
  GenericRecord next() throws DamagedLogException {
    try {
      if (leftInBlock == 0) {
        if (!stream.hasNext()) {
          return null;
        }
        block++;
        leftInBlock = stream.getBlockCount();
      }
      GenericRecord r = stream.next();
      leftInBlock--;
      records++;
      return r;
    } catch (RuntimeException | LinkageError e) {
      // hasNext() fails on the block not yet counted; next() inside the current block.
      throw damaged(file, leftInBlock == 0 ? block + 1 : block, records, reason(e), e);
    }
  }

  /**
   * Walks the container's blocks without decoding them and returns the number of records: Avro's
   * own reader takes a file that ends inside a block for a complete one (it stops at the last
   * whole block without a word), so a truncated log would lose its tail silently. Checks the
   * header, each block's length and sync marker, and that the file ends after a whole block.
   */
  static long checkBlocks(InputStream raw, String file) throws DamagedLogException {
    PushbackInputStream in = new PushbackInputStream(raw, 1);
    BinaryDecoder dec = DecoderFactory.get().directBinaryDecoder(in, null);
    long block = 0;
    long records = 0;
    byte[] sync = new byte[SYNC_BYTES];
    byte[] seen = new byte[SYNC_BYTES];
    try {
      byte[] magic = new byte[4];
      dec.readFixed(magic);
      if (!Arrays.equals(magic, DataFileConstants.MAGIC)) {
        throw new DamagedLogException(file + ": not a readable Avro container file: no Avro"
            + " container header; " + ADVICE, null);
      }
      for (long n = dec.readMapStart(); n != 0; n = dec.mapNext()) {
        for (long i = 0; i < n; i++) {
          dec.skipString();
          dec.skipBytes();
        }
      }
      dec.readFixed(sync);
      for (int b; (b = in.read()) >= 0; ) {
        in.unread(b);
        block++;
        long count = dec.readLong();
        long size = dec.readLong();
        if (count < 0 || size < 0 || size > Integer.MAX_VALUE) {
          throw damaged(file, block, records, "impossible block header (" + count
              + " records, " + size + " bytes)", null);
        }
        dec.skipFixed((int) size);
        dec.readFixed(seen);
        if (!Arrays.equals(sync, seen)) {
          throw damaged(file, block, records, BAD_SYNC, null);
        }
        records += count;
      }
      return records;
    } catch (DamagedLogException e) {
      throw e;
    } catch (EOFException e) {
      throw block == 0
          ? new DamagedLogException(file + ": not a readable Avro container file: the header is"
              + " cut short; " + ADVICE, e)
          : damaged(file, block, records, TRUNCATED, e);
    } catch (IOException | RuntimeException e) {
      throw new DamagedLogException(file + ": not a readable Avro container file: "
          + e.getMessage() + "; " + ADVICE, e);
    }
  }

  private static final int SYNC_BYTES = 16;
  private static final String TRUNCATED = "the file ends inside the block (truncated)";
  private static final String BAD_SYNC =
      "bad sync marker (the block's length or contents are corrupt)";

  private static DamagedLogException damaged(String file, long block, long recordsBefore,
      String reason, Throwable cause) {
    return new DamagedLogException(file + ": damaged Avro container at block " + block
        + ", record " + (recordsBefore + 1) + " (" + recordsBefore + " records before it read): "
        + reason + "; " + ADVICE, cause);
  }

  /** Records returned so far. */
  long records() {
    return records;
  }

  private String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof EOFException)) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? "" : t.getMessage();
    if (t instanceof EOFException) {
      return TRUNCATED;
    }
    if (m.startsWith("Invalid sync")) {
      return BAD_SYNC;
    }
    if (m.startsWith("Unrecognized codec")) {
      return "unknown codec" + m.substring("Unrecognized codec".length());
    }
    if (t instanceof LinkageError) {
      return "codec '" + codec + "' is not available in this build";
    }
    if (m.startsWith("Not an Avro data file")) {
      return "no Avro container header";
    }
    String oneLine = m.lines().findFirst().orElse(t.getClass().getSimpleName());
    return "cannot decode (codec '" + codec + "'): " + (oneLine.isEmpty()
        ? t.getClass().getSimpleName() : oneLine);
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
