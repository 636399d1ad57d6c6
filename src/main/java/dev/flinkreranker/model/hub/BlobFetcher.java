package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Puts one file's content into {@code blobs/<etag>}: once, completely, and verified.
 *
 * <ul>
 *   <li>Bytes go to {@code blobs/<etag>.incomplete}; only a complete, verified file is renamed to
 *       {@code blobs/<etag>}, so no reader ever sees half a file under its final name.
 *   <li>A dropped connection resumes with a {@code Range} request from the bytes already on disk, in
 *       this run (a few retries) or the next one (the {@code .incomplete} file stays).
 *   <li>LFS files (the weights) are checked against the sha256 the hub announced; a mismatch deletes
 *       the file so it is never used.
 *   <li>The per-blob {@link CacheLocks lock} makes concurrent resolvers download it once.
 * </ul>
 */
final class BlobFetcher {
  private static final Logger LOG = LogManager.getLogger(BlobFetcher.class);
  private static final int MAX_ATTEMPTS_WITHOUT_PROGRESS = 4;
  private static final long FIRST_BACKOFF_MILLIS = 200;
  private static final int BUFFER = 256 * 1024;

  private final HubClient client;
  private final HubCache cache;
  private final ProgressSink progress;
  private final Duration readTimeout;

  BlobFetcher(HubClient client, HubCache cache, ProgressSink progress, Duration readTimeout) {
    this.client = client;
    this.cache = cache;
    this.progress = progress;
    this.readTimeout = readTimeout;
  }

  /** Makes sure {@code blobs/<etag>} of {@code file} exists and returns it. */
  Path fetch(ModelId id, String file, HubClient.FileMetadata meta) {
    Path blob = cache.blob(id, meta.etag());
    if (Files.isRegularFile(blob)) {
      return blob; // already cached, by us or by a Python tool
    }
    try (CacheLocks.Held lock = CacheLocks.acquire(cache.lockFile(id, meta.etag()), LOG::info)) {
      if (Files.isRegularFile(blob)) {
        return blob; // the holder we waited for has just finished it
      }
      Files.createDirectories(blob.getParent());
      Path partial = HubCache.incomplete(blob);
      download(id, file, meta, partial);
      HubCache.moveAtomically(partial, blob);
      return blob;
    } catch (IOException e) {
      throw HubException.fromLocalIo("cannot store " + file + " of " + id + " in " + blob.getParent(), e);
    }
  }

  private void download(ModelId id, String file, HubClient.FileMetadata meta, Path partial)
      throws IOException {
    Digest digest = new Digest(meta.isLfs());
    long startedFrom = Files.exists(partial) ? Files.size(partial) : 0;
    ProgressSink.FileProgress bar = progress.start(file, meta.size(), startedFrom);
    try {
      int failuresInARow = 0;
      while (true) {
        long before = Files.exists(partial) ? Files.size(partial) : 0;
        try {
          if (attempt(id, file, meta, partial, digest, bar)) {
            break;
          }
          // The server's answer did not fit the partial file; it was discarded, start over.
          if (++failuresInARow >= MAX_ATTEMPTS_WITHOUT_PROGRESS) {
            throw new HubException(
                HubException.Reason.PROTOCOL,
                "the server keeps answering range requests for " + file + " inconsistently at " + meta.location());
          }
        } catch (HubException e) {
          if (e.reason() != HubException.Reason.NETWORK) {
            throw e;
          }
          long after = Files.exists(partial) ? Files.size(partial) : 0;
          failuresInARow = after > before ? 1 : failuresInARow + 1;
          if (failuresInARow >= MAX_ATTEMPTS_WITHOUT_PROGRESS) {
            throw new HubException(
                HubException.Reason.NETWORK,
                "download of "
                    + file
                    + " keeps failing at "
                    + Bytes.human(after)
                    + " ("
                    + e.getMessage()
                    + "); the partial file is kept and the next run resumes it",
                e);
          }
          LOG.warn("download of {} interrupted at {} ({}); resuming", file, Bytes.human(after), e.getCause());
          sleep(FIRST_BACKOFF_MILLIS << (failuresInARow - 1));
        }
      }
    } finally {
      bar.finish();
    }
    verify(id, file, meta, partial, digest);
  }

  /** One request. Returns true when the partial file is complete, false to retry from scratch. */
  private boolean attempt(
      ModelId id,
      String file,
      HubClient.FileMetadata meta,
      Path partial,
      Digest digest,
      ProgressSink.FileProgress bar)
      throws IOException {
    long offset = Files.exists(partial) ? Files.size(partial) : 0;
    if (meta.size() >= 0 && offset > meta.size()) {
      Files.delete(partial); // longer than the file can be: not ours to trust
      offset = 0;
    }
    digest.catchUp(partial, offset);
    HttpResponse<InputStream> r = client.open(id, file, meta.location(), offset);
    try (InputStream in = r.body();
        StallGuard guard = StallGuard.watch(in, readTimeout)) {
      int status = r.statusCode();
      if (status == 416) {
        // Nothing left after `offset`: complete if the size agrees, else start over.
        if (meta.size() >= 0 && offset == meta.size()) {
          return true;
        }
        Files.deleteIfExists(partial);
        return false;
      }
      if (status == 200 && offset > 0) {
        // The server ignored Range and sends the whole file: start the file over.
        Files.deleteIfExists(partial);
        digest.reset();
        offset = 0;
      }
      if (status == 206 && contentRangeStart(r) != offset) {
        Files.deleteIfExists(partial);
        digest.reset();
        return false;
      }
      try (FileChannel out =
          FileChannel.open(
              partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        byte[] buf = new byte[BUFFER];
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (IOException e) {
            if (guard.stalled()) {
              throw new HubException(
                  HubException.Reason.NETWORK,
                  "no data from " + meta.location() + " for " + readTimeout.toMillis() + " ms (HF_HUB_DOWNLOAD_TIMEOUT)",
                  e);
            }
            throw HubException.fromNetwork(meta.location().toString(), e);
          }
          guard.progress();
          if (n < 0) {
            break;
          }
          ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
          digest.update(buf, n);
          bar.advance(n);
        }
      }
    }
    return true;
  }

  private void verify(ModelId id, String file, HubClient.FileMetadata meta, Path partial, Digest digest)
      throws IOException {
    long size = Files.size(partial);
    String problem = null;
    if (meta.size() >= 0 && size != meta.size()) {
      problem = "has " + size + " bytes but the hub announced " + meta.size();
    } else if (meta.isLfs()) {
      String actual = digest.hex();
      if (!actual.equals(meta.etag())) {
        problem = "has sha256 " + actual + " but the hub announced " + meta.etag();
      }
    }
    if (problem != null) {
      Files.deleteIfExists(partial);
      throw new HubException(
          HubException.Reason.CHECKSUM_MISMATCH,
          file
              + " of "
              + id
              + " downloaded from "
              + meta.location()
              + " "
              + problem
              + ". The file was removed and will not be used. Run again; if it keeps happening, a proxy"
              + " or mirror (HF_ENDPOINT) is serving damaged data.");
    }
  }

  private static long contentRangeStart(HttpResponse<?> r) {
    // "bytes 100-199/200"
    String v = r.headers().firstValue("Content-Range").orElse("");
    try {
      return Long.parseLong(v.substring(v.indexOf(' ') + 1, v.indexOf('-')).trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(HubException.Reason.NETWORK, "interrupted while waiting to resume a download", e);
    }
  }

  /**
   * sha256 of the partial file, kept up to date while appending, so a download is hashed once even
   * when it resumes; when the file on disk and the digest disagree (a previous run's partial), the
   * prefix is hashed from disk first.
   */
  private static final class Digest {
    private final boolean enabled;
    private MessageDigest sha256;
    private long covered;

    Digest(boolean enabled) {
      this.enabled = enabled;
      reset();
    }

    void reset() {
      covered = 0;
      try {
        sha256 = enabled ? MessageDigest.getInstance("SHA-256") : null;
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
    }

    void catchUp(Path partial, long length) throws IOException {
      if (!enabled || covered == length) {
        return;
      }
      reset();
      if (length == 0) {
        return;
      }
      try (InputStream in = Files.newInputStream(partial)) {
        byte[] buf = new byte[BUFFER];
        long left = length;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          update(buf, n);
          left -= n;
        }
      }
    }

    void update(byte[] buf, int n) {
      covered += n;
      if (enabled) {
        sha256.update(buf, 0, n);
      }
    }

    String hex() {
      return HexFormat.of().formatHex(sha256.digest());
    }
  }
}
