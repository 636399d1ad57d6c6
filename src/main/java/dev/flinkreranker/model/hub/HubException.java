package dev.flinkreranker.model.hub;

import java.io.IOException;

/**
 * Why a model could not be resolved, with a message that tells the operator what to do.
 *
 * <p>One exception type with a {@link Reason} so callers (the demo's fallback banner, the CLI's exit
 * code) can branch on the cause without parsing messages.
 */
public final class HubException extends RuntimeException {

  /** The causes an operator can act on, each with its own advice in the message. */
  public enum Reason {
    /** The model string is neither a model directory, a hub id, nor {@code lexical}. */
    INVALID_MODEL,
    /** The hub does not know the repository (or it is private and no valid token was sent). */
    REPO_NOT_FOUND,
    /** The repository is gated or private: a token with accepted terms is required. */
    GATED,
    /** The repository exists but the branch, tag or commit does not. */
    REVISION_NOT_FOUND,
    /** A file listed for the revision is missing on the hub. */
    FILE_NOT_FOUND,
    /** The hub cannot be reached and the cache does not hold the model. */
    NETWORK,
    /** Offline mode is on and the cache does not hold (all of) the model. */
    NOT_CACHED,
    /** The cache volume is full. */
    DISK_FULL,
    /** A downloaded file does not match the checksum the hub announced. */
    CHECKSUM_MISMATCH,
    /** The hub answered something this client does not understand. */
    PROTOCOL,
    /** Any other local I/O failure (permissions, broken cache entries). */
    IO,
  }

  /** What to do when the hub cannot be reached; operators of offline clusters need all three. */
  static String offlineAdvice(ModelId id) {
    return "On a machine with network run `flink-reranker models download "
        + id
        + "` and share the cache (set HF_HUB_CACHE to a shared volume on every TaskManager), or"
        + " point --model at a model directory.";
  }

  private final Reason reason;

  public HubException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public HubException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  @Override
  public String toString() {
    return "HubException[" + reason + "]: " + getMessage();
  }

  /** Classifies a local I/O failure (disk full is the one operators hit in practice). */
  static HubException fromLocalIo(String what, IOException e) {
    if (isDiskFull(e)) {
      return new HubException(
          Reason.DISK_FULL,
          what + ": no space left on the cache volume. Free space or point HF_HUB_CACHE at a"
              + " larger volume; the partial download is kept and resumes next time.",
          e);
    }
    return new HubException(Reason.IO, what + ": " + e, e);
  }

  /** A failure talking to the hub (refused, unknown host, timeout, dropped connection). */
  static HubException fromNetwork(String url, IOException e) {
    return new HubException(Reason.NETWORK, "cannot reach the hub at " + url + " (" + e + ")", e);
  }

  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.contains("No space left")) {
        return true;
      }
    }
    return false;
  }
}
