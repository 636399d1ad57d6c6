package dev.flinkreranker.model.hub;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A hub model id with an optional revision: {@code org/name[@revision]}, e.g. {@code
 * Qwen/Qwen3-Reranker-0.6B} or {@code Qwen/Qwen3-Reranker-0.6B@v1.0}.
 *
 * @param repo {@code org/name}
 * @param revision branch, tag or commit hash; {@code main} when not given
 */
public record ModelId(String repo, String revision) {
  public static final String DEFAULT_REVISION = "main";

  // The hub's own repo-name rule (huggingface_hub validate_repo_id), restricted to org/name: a bare
  // name would be indistinguishable from a relative directory that does not exist.
  private static final Pattern REPO = Pattern.compile("[\\w.-]{1,96}/[\\w.-]{1,96}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public ModelId {
    if (!isValidRepo(repo)) {
      throw new IllegalArgumentException("not a hub model id (org/name): " + repo);
    }
    if (revision == null || revision.isBlank()) {
      revision = DEFAULT_REVISION;
    }
    if (revision.contains("..") || revision.startsWith("/") || revision.endsWith("/")) {
      // The revision becomes a path under refs/: keep it inside the cache.
      throw new IllegalArgumentException("not a valid revision: " + revision);
    }
  }

  /** Parses {@code org/name[@revision]}; empty when the string is not shaped like a hub id. */
  public static Optional<ModelId> parse(String model) {
    if (model == null) {
      return Optional.empty();
    }
    String s = model.trim();
    int at = s.indexOf('@');
    String repo = at < 0 ? s : s.substring(0, at);
    String revision = at < 0 ? null : s.substring(at + 1);
    if (!isValidRepo(repo) || (revision != null && revision.isBlank())) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ModelId(repo, revision));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True for a full 40-hex commit hash, which needs no ref lookup. */
  public boolean revisionIsCommit() {
    return isCommit(revision);
  }

  static boolean isCommit(String s) {
    return s != null && COMMIT.matcher(s).matches();
  }

  /** The cache folder name the Python tools use: {@code models--org--name}. */
  public String folderName() {
    return "models--" + repo.replace("/", "--");
  }

  @Override
  public String toString() {
    return DEFAULT_REVISION.equals(revision) ? repo : repo + "@" + revision;
  }

  private static boolean isValidRepo(String repo) {
    return repo != null
        && REPO.matcher(repo).matches()
        && !repo.contains("--")
        && !repo.contains("..")
        && !repo.startsWith(".")
        && !repo.contains("/.")
        && !repo.endsWith(".git");
  }
}
