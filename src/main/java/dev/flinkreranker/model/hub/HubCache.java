package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The hub cache layout shared with the Python {@code huggingface_hub} library:
 *
 * <pre>
 * $HF_HUB_CACHE/
 *   models--Qwen--Qwen3-Reranker-0.6B/
 *     refs/main                      the commit hash that "main" pointed to at download time
 *     blobs/&lt;etag&gt;                    file contents, named by sha256 (LFS) or git sha1
 *     blobs/&lt;etag&gt;.incomplete         a download in progress (resumable)
 *     snapshots/&lt;commit&gt;/config.json  relative symlink → ../../blobs/&lt;etag&gt;
 *   .locks/models--Qwen--Qwen3-Reranker-0.6B/&lt;etag&gt;.lock
 * </pre>
 *
 * Anything we put here is usable by the Python tools and vice versa.
 */
public final class HubCache {
  private final Path root;

  public HubCache(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path repoDir(ModelId id) {
    return root.resolve(id.folderName());
  }

  public Path snapshotDir(ModelId id, String commit) {
    return repoDir(id).resolve("snapshots").resolve(commit);
  }

  Path blob(ModelId id, String etag) {
    return repoDir(id).resolve("blobs").resolve(etag);
  }

  static Path incomplete(Path blob) {
    return blob.resolveSibling(blob.getFileName() + ".incomplete");
  }

  Path lockFile(ModelId id, String etag) {
    return root.resolve(".locks").resolve(id.folderName()).resolve(etag + ".lock");
  }

  Path refFile(ModelId id, String revision) {
    return repoDir(id).resolve("refs").resolve(revision);
  }

  /**
   * The commit a revision stands for without asking the hub: a full commit hash is itself, a branch
   * or tag is read from {@code refs/}.
   */
  public Optional<String> commitOf(ModelId id) {
    if (id.revisionIsCommit()) {
      return Optional.of(id.revision());
    }
    Path ref = refFile(id, id.revision());
    try {
      if (Files.isRegularFile(ref)) {
        String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
        return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
      }
    } catch (IOException e) {
      // an unreadable ref is a missing ref: the caller reports the model as not cached
    }
    return Optional.empty();
  }

  /** Records that {@code revision} points at {@code commit}, atomically (readers never see half). */
  void writeRef(ModelId id, String commit) throws IOException {
    if (id.revision().equals(commit)) {
      return;
    }
    Path ref = refFile(id, id.revision());
    Files.createDirectories(ref.getParent());
    if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) {
      return; // unchanged: do not need write access to a read-only shared cache
    }
    Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    moveAtomically(tmp, ref);
  }

  /**
   * Makes {@code snapshots/<commit>/<file>} a relative symlink to {@code blobs/<etag>}, the form the
   * Python tools create, so the cache survives being moved or mounted elsewhere. The link is made
   * under a temporary name and renamed, so it appears complete or not at all.
   */
  Path link(ModelId id, String commit, String file, String etag) throws IOException {
    Path pointer = snapshotDir(id, commit).resolve(file);
    Files.createDirectories(pointer.getParent());
    Path target = pointer.getParent().relativize(blob(id, etag));
    Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createSymbolicLink(tmp, target);
    } catch (UnsupportedOperationException e) {
      // No symlinks (some network file systems): a copy is what huggingface_hub falls back to.
      Files.copy(blob(id, etag), tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    moveAtomically(tmp, pointer);
    return pointer;
  }

  static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
