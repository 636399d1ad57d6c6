package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One lock per blob, held while it downloads, so threads and processes that want the same file
 * download it once and the others wait for it.
 *
 * <p>Two layers, because {@link FileLock} is held on behalf of the whole JVM: a second thread of the
 * same JVM would get {@code OverlappingFileLockException} instead of waiting. So threads first queue
 * on an in-JVM lock per lock file, and the holder then takes the file lock that other JVMs (other
 * TaskManagers on a shared cache volume, a {@code models download} next to a running job) respect.
 *
 * <p>The lock file is where huggingface_hub puts its own ({@code .locks/models--org--name/<etag>.lock}),
 * but Python's filelock uses {@code flock()}, which Linux keeps apart from the {@code fcntl()} locks
 * Java takes, so a Python download at the very same moment is not excluded. That case stays safe:
 * both would write the same {@code .incomplete} file, the sha256 check rejects the result and removes
 * it, and the next attempt downloads cleanly.
 */
final class CacheLocks {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private CacheLocks() {}

  /** A held lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close() throws IOException;
  }

  /**
   * Blocks until this thread holds the lock for {@code lockFile}.
   *
   * @param onWait told once when another holder makes us wait (for a log line)
   */
  static Held acquire(Path lockFile, Consumer<String> onWait) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock local = IN_JVM.computeIfAbsent(key, k -> new ReentrantLock());
    if (!local.tryLock()) {
      onWait.accept("another thread is downloading the same file; waiting for it (" + key + ")");
      local.lock();
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(key.getParent());
      channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock = channel.tryLock();
      if (fileLock == null) {
        onWait.accept("another process is downloading the same file; waiting for it (" + key + ")");
        fileLock = channel.lock();
      }
      FileChannel heldChannel = channel;
      FileLock heldLock = fileLock;
      return () -> {
        try {
          heldLock.release();
          heldChannel.close();
        } finally {
          local.unlock();
        }
      };
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      local.unlock();
      throw e;
    }
  }
}
