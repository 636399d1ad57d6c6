package dev.flinkreranker.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's candidate sets: JSON lines files in {@code job/samples/} (or the copy bundled in the
 * jar when run elsewhere), one CandidateSet per line.
 */
public final class Samples {
  private Samples() {}

  /** Bundled sample files, in order (see pom: job/samples is copied to samples/ in the jar). */
  private static final String INDEX = "samples/index.txt";

  /** Lines of every {@code *.jsonl} file of {@code dir}, files in name order; blank lines skipped. */
  public static List<String> load(Path dir) {
    if (dir != null && Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        List<String> lines = new ArrayList<>();
        for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
          Files.readAllLines(f, StandardCharsets.UTF_8).stream()
              .filter(l -> !l.isBlank()).forEach(lines::add);
        }
        return lines;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read samples in " + dir, e);
      }
    }
    return bundled();
  }

  private static List<String> bundled() {
    List<String> lines = new ArrayList<>();
    for (String name : read(INDEX)) {
      if (!name.isBlank()) {
        read("samples/" + name.trim()).stream().filter(l -> !l.isBlank()).forEach(lines::add);
      }
    }
    return lines;
  }

  private static List<String> read(String resource) {
    try (InputStream in = Samples.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("sample resource " + resource + " is not in the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
