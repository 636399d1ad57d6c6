package dev.flinkreranker.replay;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Candidate logs on disk: which files an input names, their format, and how many records they hold.
 *
 * <p>An input is a file, a directory (every log file under it, recursively) or a glob
 * ({@code logs/2026-11-*.jsonl.gz}; {@code *} and {@code ?} stay within a directory, {@code **}
 * crosses them). Log files are JSON lines ({@code .jsonl}, {@code .json}, {@code .ndjson}) or Avro
 * container files ({@code .avro}), each optionally gzipped ({@code .gz}). Other files in a directory
 * (an index.txt, a README) are not logs and are left out.
 */
public final class LogFiles {
  private LogFiles() {}

  /** Encoding of a log file. */
  public enum Format {
    JSON_LINES,
    AVRO_CONTAINER
  }

  /** The log files of the given inputs, sorted, each once; fails when an input matches none. */
  public static List<Path> expand(List<String> inputs) {
    TreeSet<Path> files = new TreeSet<>();
    for (String input : inputs) {
      List<Path> matched = expand(input);
      if (matched.isEmpty()) {
        throw new IllegalArgumentException("replay input '" + input + "' names no log file"
            + " (*.jsonl, *.json, *.ndjson or *.avro, optionally .gz)");
      }
      files.addAll(matched);
    }
    return new ArrayList<>(files);
  }

  private static List<Path> expand(String input) {
    int glob = firstGlobChar(input);
    if (glob < 0) {
      Path p = Path.of(input).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) {
        return walk(p, f -> true);
      }
      if (Files.isRegularFile(p)) {
        return List.of(p); // named explicitly: taken whatever its extension
      }
      throw new IllegalArgumentException("replay input '" + input + "' does not exist");
    }
    // Walk from the deepest directory before the first glob character.
    int slash = input.lastIndexOf('/', glob);
    Path base = Path.of(slash < 0 ? "." : input.substring(0, slash + 1)).toAbsolutePath().normalize();
    String pattern = slash < 0 ? input : input.substring(slash + 1);
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    return walk(base, f -> matcher.matches(base.relativize(f)));
  }

  private static int firstGlobChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      if ("*?[{".indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  private static List<Path> walk(Path dir, java.util.function.Predicate<Path> accept) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(LogFiles::isLog).filter(accept).sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  static boolean isLog(Path p) {
    String n = baseName(p.getFileName().toString());
    return n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")
        || n.endsWith(".avro");
  }

  private static String baseName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
  }

  public static boolean gzipped(String name) {
    return name.toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  public static Format format(String name) {
    return baseName(name).endsWith(".avro") ? Format.AVRO_CONTAINER : Format.JSON_LINES;
  }

  /** The one format of all files (a replay decodes every record with one codec). */
  public static Format commonFormat(List<Path> files) {
    Format f = format(files.get(0).getFileName().toString());
    for (Path p : files) {
      if (format(p.getFileName().toString()) != f) {
        throw new IllegalArgumentException("replay input mixes JSON lines and Avro files ("
            + files.get(0) + ", " + p + "); replay them separately");
      }
    }
    return f;
  }

  /** The stream of a file's bytes, decompressed when gzipped. */
  public static InputStream open(InputStream raw, String name) throws IOException {
    InputStream in = new BufferedInputStream(raw, 1 << 16);
    return gzipped(name) ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
  }

  /** Records in a file: non-blank lines, or Avro records. Reads the file (for progress totals). */
  public static long countRecords(Path file) {
    String name = file.getFileName().toString();
    try (InputStream in = open(Files.newInputStream(file), name)) {
      if (format(name) == Format.AVRO_CONTAINER) {
        // A damaged container stops the replay here, before anything is written, instead of
        // failing the job half-way through its output (or, truncated, losing its tail silently):
        // one pass checks the block structure, one decodes every record as the job will.
        AvroLog.checkBlocks(in, file.toString());
        try (AvroLog log = new AvroLog(open(Files.newInputStream(file), name), file.toString())) {
          while (log.next() != null) {
            // counted by the log
          }
          return log.records();
        }
      }
      LineReader lines = LineReader.counting(in);
      long n = 0;
      while (lines.next() != null) {
        if (!lines.blank()) {
          n++;
        }
      }
      return n;
    } catch (AvroLog.DamagedLogException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Lines as raw bytes (no charset decoding: invalid UTF-8 must reach the decoder, which turns it
   * into an INVALID_UTF8 dead letter); '\n' or "\r\n" ends a line.
   *
   * <p>Memory is bounded whatever the input: a line longer than {@code maxBytes} is kept only up to
   * {@code maxBytes + 1} bytes (enough for any reader to see it is too large), the rest is read
   * through a fixed buffer up to the next newline while its size and SHA-256 are computed, so a
   * 2 GB line costs no more heap than a {@code maxBytes + 1} one.
   */
  public static final class LineReader {
    /** The largest byte[] a JVM allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final long maxBytes;
    private final int keep;
    private final boolean hashLong;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];
    private int kept;
    private long size;
    private boolean blank;
    private boolean pendingCr;
    private MessageDigest digest;
    private String sha256;
    private long lineNumber;

    /** Lines of any length up to what a byte[] holds (for files this program wrote itself). */
    public LineReader(InputStream in) {
      this(in, MAX_ARRAY - 1, true);
    }

    /** Lines longer than {@code maxBytes} are cut (see {@link #cut}). */
    public LineReader(InputStream in, int maxBytes) {
      this(in, maxBytes, true);
    }

    private LineReader(InputStream in, int maxBytes, boolean hashLong) {
      if (maxBytes < 0) {
        throw new IllegalArgumentException("maxBytes must be >= 0: " + maxBytes);
      }
      this.in = in;
      this.maxBytes = maxBytes;
      this.keep = (int) Math.min((long) maxBytes + 1, MAX_ARRAY);
      this.hashLong = hashLong;
    }

    /** A reader that only tells lines and blank lines apart, keeping and hashing nothing. */
    static LineReader counting(InputStream in) {
      return new LineReader(in, 0, false);
    }

    /**
     * The next line without its terminator, at most {@code maxBytes + 1} bytes of it; null at the
     * end.
     */
    public byte[] next() throws IOException {
      kept = 0;
      size = 0;
      blank = true;
      pendingCr = false;
      digest = null;
      sha256 = null;
      boolean any = false;
      while (true) {
        if (pos == limit) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          pos = 0;
          limit = n;
          continue;
        }
        any = true;
        int end = pos;
        while (end < limit && buf[end] != '\n') {
          end++;
        }
        content(pos, end);
        boolean newline = end < limit;
        pos = newline ? end + 1 : end;
        if (newline) {
          break;
        }
      }
      if (!any) {
        return null;
      }
      lineNumber++;
      // A '\r' still pending is the one of "\r\n" (or ends the file): not part of the line.
      if (digest != null) {
        sha256 = HexFormat.of().formatHex(digest.digest());
        digest = null;
      }
      return Arrays.copyOf(line, kept);
    }

    /** Bytes [from, to) of buf belong to the current line; a trailing '\r' waits for the next. */
    private void content(int from, int to) {
      if (from == to) {
        return;
      }
      if (pendingCr) {
        pendingCr = false;
        append(new byte[] {'\r'}, 0, 1);
      }
      if (buf[to - 1] == '\r') {
        pendingCr = true;
        to--;
      }
      append(buf, from, to);
    }

    private void append(byte[] b, int from, int to) {
      int len = to - from;
      for (int i = from; i < to && blank; i++) {
        blank = b[i] == ' ' || b[i] == '\t' || b[i] == '\r';
      }
      if (hashLong && digest == null && size + len > maxBytes) {
        // The line just became too long: hash what is kept, then everything that follows.
        digest = newSha256();
        digest.update(line, 0, kept);
      }
      size += len;
      if (digest != null) {
        digest.update(b, from, len);
      }
      int room = Math.min(len, keep - kept);
      if (room > 0) {
        if (kept + room > line.length) {
          line = Arrays.copyOf(line, (int) Math.min(Math.max(2L * line.length, kept + room), keep));
        }
        System.arraycopy(b, from, line, kept, room);
        kept += room;
      }
    }

    private static MessageDigest newSha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    /** 1-based number of the line {@link #next} returned last. */
    public long lineNumber() {
      return lineNumber;
    }

    /** Size in bytes of the whole line {@link #next} returned last, without its terminator. */
    public long size() {
      return size;
    }

    /** Whether the last line is longer than {@code maxBytes} (then {@link #next} kept a prefix). */
    public boolean tooLong() {
      return size > maxBytes;
    }

    /** Hex SHA-256 of the whole last line when it was {@link #tooLong}, else null. */
    public String sha256() {
      return sha256;
    }

    /** Whether the whole last line is spaces, tabs and carriage returns (or empty). */
    public boolean blank() {
      return blank;
    }
  }
}
