package dev.flinkreranker.replay;

import dev.flinkreranker.avro.internal.RawRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.IteratorResultIterator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Reads candidate logs (see {@link LogFiles}) as {@link RawRecord}s, exactly like records read from
 * Kafka, so the job's decode-validate step (and its dead letters) is the same for both: topic = the
 * file's path, partition = 0, offset = the 1-based line number (JSON lines; blank lines are skipped
 * but counted) or record number (Avro), timestamp = 0 (a JSON record without event_time gets
 * 1970-01-01: a log has no arrival time, and the file's mtime would make output depend on copies).
 *
 * <p>A BulkFormat rather than a StreamFormat because only a BulkFormat reader is told which file it
 * reads. Files are not split (gzip cannot be, and a line must stay whole); the checkpointed position
 * is the number of records emitted, which a restored reader skips.
 *
 * <p>Avro container records are re-encoded as single binary CandidateSets (schema resolution from
 * the file's writer schema to ours happens here), strings as raw UTF-8 so that the decoder still
 * checks them.
 */
public final class CandidateLogFormat implements BulkFormat<RawRecord, FileSourceSplit> {
  private static final int BATCH = 256;
  /** A batch also ends once it holds this many value bytes (near-limit lines are large). */
  private static final long BATCH_BYTES = 4L << 20;

  private final int maxRecordBytes;

  /**
   * @param maxRecordBytes {@code input.max-record-bytes}: a longer line is read in bounded memory
   *     and becomes a record of its first {@code maxRecordBytes + 1} bytes with
   *     {@code original_size} and {@code original_sha256} of the whole line set (the decoder
   *     dead-letters it RECORD_TOO_LARGE, as it does a Kafka record over the limit)
   */
  public CandidateLogFormat(int maxRecordBytes) {
    this.maxRecordBytes = maxRecordBytes;
  }

  @Override
  public Reader<RawRecord> createReader(Configuration config, FileSourceSplit split)
      throws IOException {
    return new LogReader(split, 0, maxRecordBytes);
  }

  @Override
  public Reader<RawRecord> restoreReader(Configuration config, FileSourceSplit split)
      throws IOException {
    long done = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset).orElse(0L);
    return new LogReader(split, done, maxRecordBytes);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return new AvroTypeInfo<>(RawRecord.class);
  }

  /** The name a file has in RawRecord.topic and dead letters: its path, without file: for local. */
  static String sourceName(Path path) {
    java.net.URI uri = path.toUri();
    return uri.getScheme() == null || "file".equals(uri.getScheme()) ? uri.getPath() : path.toString();
  }

  private static final class LogReader implements BulkFormat.Reader<RawRecord> {
    private final String source;
    private final InputStream in;
    private final LogFiles.LineReader lines;
    private final AvroLog avro;
    private final GenericDatumWriter<GenericRecord> avroWriter;
    private long emitted;

    LogReader(FileSourceSplit split, long skip, int maxRecordBytes) throws IOException {
      Path path = split.path();
      this.source = sourceName(path);
      String name = path.getName();
      this.in = LogFiles.open(path.getFileSystem().open(path), name);
      if (LogFiles.format(name) == LogFiles.Format.AVRO_CONTAINER) {
        try {
          this.avro = new AvroLog(in, source);
        } catch (IOException e) {
          in.close();
          throw e;
        }
        this.avroWriter = new GenericDatumWriter<>(new Schema.Parser().parse(AvroLog.RAW_SCHEMA));
        this.lines = null;
      } else {
        this.avro = null;
        this.avroWriter = null;
        this.lines = new LogFiles.LineReader(in, maxRecordBytes);
      }
      while (emitted < skip && nextRecord() != null) {
        emitted++;
      }
    }

    @Override
    public RecordIterator<RawRecord> readBatch() throws IOException {
      List<RawRecord> batch = new ArrayList<>(BATCH);
      long bytes = 0;
      for (RawRecord r; batch.size() < BATCH && bytes < BATCH_BYTES && (r = nextRecord()) != null; ) {
        batch.add(r);
        bytes += r.getValue().remaining();
      }
      if (batch.isEmpty()) {
        return null;
      }
      long before = emitted;
      emitted += batch.size();
      // Position after each record = records emitted so far; a restored reader skips them.
      return new IteratorResultIterator<>(batch.iterator(), CheckpointedPosition.NO_OFFSET, before);
    }

    private RawRecord nextRecord() throws IOException {
      if (lines != null) {
        for (byte[] line; (line = lines.next()) != null; ) {
          if (!lines.blank()) {
            RawRecord r = raw(lines.lineNumber(), line);
            if (lines.tooLong()) {
              r.setOriginalSize(lines.size());
              r.setOriginalSha256(lines.sha256());
            }
            return r;
          }
        }
        return null;
      }
      GenericRecord record = avro.next();
      if (record == null) {
        return null;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(512);
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      avroWriter.write(record, encoder);
      encoder.flush();
      return raw(avro.records(), out.toByteArray());
    }

    private RawRecord raw(long number, byte[] value) {
      return RawRecord.newBuilder()
          .setTopic(source)
          .setPartition(0)
          .setOffset(number)
          .setTimestamp(0L)
          .setKey(null)
          .setValue(ByteBuffer.wrap(value))
          .build();
    }

    @Override
    public void close() throws IOException {
      if (avro != null) {
        avro.close();
      } else {
        in.close();
      }
    }
  }
}
