package dev.flinkreranker.model.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns what the user typed after {@code --model} into a local model directory.
 *
 * <ul>
 *   <li>an existing directory with {@code config.json}: used as is;
 *   <li>{@code org/name[@revision]}: the hub cache shared with the Python tools; what is missing is
 *       downloaded once; with {@code HF_HUB_OFFLINE=1} the network is never touched; when the hub is
 *       unreachable a complete cached snapshot of the revision is used;
 *   <li>{@code lexical}: not a model; callers check {@link #isLexical} and open the BM25 scorer.
 * </ul>
 *
 * <p>Thread-safe; several resolvers (threads or processes) on one cache download each file once.
 */
public final class ModelResolver {
  private static final Logger LOG = LogManager.getLogger(ModelResolver.class);
  public static final String LEXICAL = "lexical";

  private final HubOptions options;
  private final HubCache cache;

  public ModelResolver(HubOptions options) {
    this.options = options;
    this.cache = new HubCache(options.cacheDir());
  }

  /** A resolver configured like the Python tools: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE, HF_HOME. */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(HubOptions.fromEnvironment());
  }

  public HubOptions options() {
    return options;
  }

  public HubCache cache() {
    return cache;
  }

  public static boolean isLexical(String model) {
    return model != null && LEXICAL.equals(model.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * Resolves a model directory or hub id to a loadable directory, downloading if needed.
   *
   * @throws HubException with a reason and a message that says what to do
   */
  public ResolvedModel resolve(String model) {
    if (model == null || model.isBlank()) {
      throw new HubException(HubException.Reason.INVALID_MODEL, "no model given: pass a model directory or a hub id such as Qwen/Qwen3-Reranker-0.6B");
    }
    if (isLexical(model)) {
      throw new HubException(
          HubException.Reason.INVALID_MODEL,
          "'lexical' names the BM25 scorer, which needs no model files; it is not resolved to a directory");
    }
    Optional<ResolvedModel> directory = asDirectory(model);
    if (directory.isPresent()) {
      return directory.get();
    }
    ModelId id =
        ModelId.parse(model)
            .orElseThrow(
                () ->
                    new HubException(
                        HubException.Reason.INVALID_MODEL,
                        "'"
                            + model
                            + "' is neither a model directory (with config.json) nor a hub id"
                            + " org/name[@revision] such as Qwen/Qwen3-Reranker-0.6B"));
    return resolve(id);
  }

  /** Resolves a hub id (see {@link #resolve(String)}). */
  public ResolvedModel resolve(ModelId id) {
    if (options.offline()) {
      return findCached(id)
          .orElseThrow(
              () ->
                  new HubException(
                      HubException.Reason.NOT_CACHED,
                      "HF_HUB_OFFLINE is set and the cache "
                          + cache.root()
                          + " has no complete copy of "
                          + id
                          + missingNote(id)
                          + ". Unset HF_HUB_OFFLINE to download it, or: "
                          + HubException.offlineAdvice(id)));
    }
    if (id.revisionIsCommit()) {
      // A commit never changes: when its snapshot is complete there is nothing to ask the hub, so a
      // job pinned to a commit starts without depending on the hub at all.
      Optional<ResolvedModel> pinned = findCached(id);
      if (pinned.isPresent()) {
        return pinned.get();
      }
    }
    try {
      ResolvedModel resolved = new SnapshotDownloader(new HubClient(options), cache, options).download(id);
      LOG.info("model {} is {} (commit {})", id, resolved.dir(), resolved.commit());
      return resolved;
    } catch (HubException e) {
      if (e.reason() != HubException.Reason.NETWORK) {
        throw e;
      }
      // The hub is unreachable: a complete snapshot of this revision is as good as it gets.
      Optional<ResolvedModel> cached = findCached(id);
      if (cached.isPresent()) {
        LOG.warn("cannot reach {} ({}); using the cached snapshot {} of {}", options.endpoint(), e.getCause(), cached.get().commit(), id);
        return cached.get();
      }
      throw new HubException(
          HubException.Reason.NETWORK,
          "cannot download "
              + id
              + " and the cache "
              + cache.root()
              + " has no complete copy of it"
              + missingNote(id)
              + ": "
              + e.getMessage()
              + ". "
              + HubException.offlineAdvice(id),
          e);
    }
  }

  /** Like {@link #resolve(String)}, but a failure is returned instead of thrown. */
  public Resolution tryResolve(String model) {
    try {
      return Resolution.of(resolve(model));
    } catch (HubException e) {
      return Resolution.failed(e);
    }
  }

  /**
   * A complete cached snapshot of the model, without any network access; empty when the model is
   * not a hub id or not (completely) cached. A directory resolves to itself.
   */
  public Optional<ResolvedModel> findCached(String model) {
    if (model == null || isLexical(model)) {
      return Optional.empty();
    }
    Optional<ResolvedModel> directory = asDirectory(model);
    if (directory.isPresent()) {
      return directory;
    }
    return ModelId.parse(model).flatMap(this::findCached);
  }

  /** A complete cached snapshot of {@code id}'s revision, without any network access. */
  public Optional<ResolvedModel> findCached(ModelId id) {
    return cache
        .commitOf(id)
        .filter(commit -> ModelFiles.missing(cache.snapshotDir(id, commit)).isEmpty())
        .map(commit -> new ResolvedModel(cache.snapshotDir(id, commit), id.repo(), id.revision(), commit));
  }

  private String missingNote(ModelId id) {
    Optional<String> commit = cache.commitOf(id);
    if (commit.isEmpty()) {
      return " (no refs/" + id.revision() + " in " + cache.repoDir(id) + ")";
    }
    List<String> missing = ModelFiles.missing(cache.snapshotDir(id, commit.get()));
    return " (snapshot " + commit.get() + " lacks " + String.join(", ", missing) + ")";
  }

  private static Optional<ResolvedModel> asDirectory(String model) {
    Path dir;
    try {
      dir = Path.of(model.trim());
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    if (!Files.isRegularFile(dir.resolve(ModelFiles.CONFIG))) {
      throw new HubException(
          HubException.Reason.INVALID_MODEL,
          "directory " + dir.toAbsolutePath() + " has no config.json; --model expects a model directory in Hugging Face layout (config.json, tokenizer.json, *.safetensors) or a hub id");
    }
    return Optional.of(new ResolvedModel(dir, model, null, null));
  }
}
