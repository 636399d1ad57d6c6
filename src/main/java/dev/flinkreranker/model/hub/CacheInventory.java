package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the hub cache holds: models, their snapshots, which refs point where, and disk usage. Read
 * only; includes what the Python tools downloaded.
 */
public final class CacheInventory {

  /** One cached model repository. {@code sizeOnDisk} counts each blob once; partial downloads apart. */
  public record CachedModel(String repo, Path dir, List<Snapshot> snapshots, long sizeOnDisk, long partialBytes) {}

  /**
   * One snapshot (commit) of a model.
   *
   * @param refs branches or tags whose ref points at this commit
   * @param files number of files in the snapshot
   * @param size bytes of the files the snapshot holds (blobs shared with other snapshots included)
   * @param missing what the reranker would still need (empty when loadable)
   */
  public record Snapshot(String commit, List<String> refs, int files, long size, List<String> missing) {
    public boolean loadable() {
      return missing.isEmpty();
    }
  }

  private CacheInventory() {}

  /** Every model repository in the cache, sorted by id; empty when the cache does not exist. */
  public static List<CachedModel> scan(Path cacheRoot) throws IOException {
    List<CachedModel> out = new ArrayList<>();
    if (!Files.isDirectory(cacheRoot)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(cacheRoot)) {
      for (Path dir : dirs.sorted().collect(Collectors.toList())) {
        String name = dir.getFileName().toString();
        if (Files.isDirectory(dir) && name.startsWith("models--")) {
          out.add(scanModel(dir, name.substring("models--".length()).replace("--", "/")));
        }
      }
    }
    out.sort(Comparator.comparing(m -> m.repo().toLowerCase(java.util.Locale.ROOT)));
    return out;
  }

  private static CachedModel scanModel(Path dir, String repo) throws IOException {
    Map<String, List<String>> refsByCommit = new TreeMap<>();
    Path refs = dir.resolve("refs");
    if (Files.isDirectory(refs)) {
      try (Stream<Path> files = Files.walk(refs)) {
        for (Path ref : files.filter(Files::isRegularFile).sorted().collect(Collectors.toList())) {
          String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
          refsByCommit.computeIfAbsent(commit, c -> new ArrayList<>()).add(refs.relativize(ref).toString().replace('\\', '/'));
        }
      }
    }
    List<Snapshot> snapshots = new ArrayList<>();
    Path snapshotsDir = dir.resolve("snapshots");
    if (Files.isDirectory(snapshotsDir)) {
      try (Stream<Path> commits = Files.list(snapshotsDir)) {
        for (Path snapshot : commits.filter(Files::isDirectory).sorted().collect(Collectors.toList())) {
          String commit = snapshot.getFileName().toString();
          int files = 0;
          long size = 0;
          try (Stream<Path> entries = Files.walk(snapshot)) {
            for (Path f : entries.filter(Files::isRegularFile).collect(Collectors.toList())) {
              files++;
              size += Files.size(f);
            }
          }
          snapshots.add(new Snapshot(commit, refsByCommit.getOrDefault(commit, List.of()), files, size, ModelFiles.missing(snapshot)));
        }
      }
    }
    long onDisk = 0;
    long partial = 0;
    Path blobs = dir.resolve("blobs");
    if (Files.isDirectory(blobs)) {
      try (Stream<Path> files = Files.list(blobs)) {
        for (Path b : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
          if (b.getFileName().toString().endsWith(".incomplete")) {
            partial += Files.size(b);
          } else {
            onDisk += Files.size(b);
          }
        }
      }
    }
    return new CachedModel(repo, dir, snapshots, onDisk, partial);
  }
}
