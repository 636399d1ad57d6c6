package dev.flinkreranker.replay;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
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
      LineReader lines = new LineReader(in);
      long n = 0;
      for (byte[] line; (line = lines.next()) != null; ) {
        if (!LineReader.isBlank(line)) {
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
   */
  public static final class LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
    private long lineNumber;

    public LineReader(InputStream in) {
      this.in = in;
    }

    /** The next line, or null at the end. */
    public byte[] next() throws IOException {
      buf.reset();
      int b;
      boolean any = false;
      while ((b = in.read()) >= 0) {
        any = true;
        if (b == '\n') {
          break;
        }
        buf.write(b);
      }
      if (!any) {
        return null;
      }
      lineNumber++;
      byte[] line = buf.toByteArray();
      if (line.length > 0 && line[line.length - 1] == '\r') {
        return java.util.Arrays.copyOf(line, line.length - 1);
      }
      return line;
    }

    /** 1-based number of the line {@link #next} returned last. */
    public long lineNumber() {
      return lineNumber;
    }

    public static boolean isBlank(byte[] line) {
      for (byte x : line) {
        if (x != ' ' && x != '\t' && x != '\r') {
          return false;
        }
      }
      return true;
    }
  }
}
