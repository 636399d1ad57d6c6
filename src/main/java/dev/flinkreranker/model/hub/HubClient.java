package dev.flinkreranker.model.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The hub's HTTP protocol, as the Python {@code huggingface_hub} library speaks it.
 *
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{rev}}: the commit ({@code sha}) and file list ({@code
 *       siblings[].rfilename}) of a revision.
 *   <li>{@code HEAD /{repo}/resolve/{commit}/{file}}: {@code X-Repo-Commit}, the file's etag ({@code
 *       X-Linked-Etag} = sha256 for LFS files, else {@code ETag} = git sha1) and size ({@code
 *       X-Linked-Size} or {@code Content-Length}). LFS files answer 302 to a CDN; relative redirects
 *       (renamed repos) are followed, absolute ones give the download location.
 *   <li>{@code GET} of that location, with {@code Range} to resume.
 * </ul>
 *
 * <p>Redirects are followed by hand so that {@code Authorization} is only ever sent to the hub
 * itself, never to a CDN or any other host a redirect names.
 */
final class HubClient {
  private static final int MAX_REDIRECTS = 10;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final String USER_AGENT = "flink-reranker/0.1 (java " + Runtime.version() + ")";

  /** The commit a revision points at and the repository's files at that commit. */
  record RepoListing(String commit, List<String> files) {}

  /** What the hub says about one file. {@code size} is -1 when unknown. */
  record FileMetadata(String commit, String etag, long size, URI location) {
    /** LFS files are named by their sha256, which we can verify while downloading. */
    boolean isLfs() {
      return etag.matches("[0-9a-f]{64}");
    }
  }

  private final HubOptions options;
  private final URI endpoint;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  HubClient(HubOptions options) {
    this.options = options;
    this.endpoint = URI.create(options.endpoint() + "/");
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  RepoListing listFiles(ModelId id) {
    URI uri =
        URI.create(
            options.endpoint()
                + "/api/models/"
                + id.repo()
                + "/revision/"
                + URLEncoder.encode(id.revision(), StandardCharsets.UTF_8).replace("+", "%20"));
    HttpResponse<byte[]> r = send(request(uri, "GET", -1), HttpResponse.BodyHandlers.ofByteArray(), uri);
    for (int hop = 0; hop < MAX_REDIRECTS && isRedirect(r.statusCode()); hop++) {
      // A renamed repository answers with a redirect to its new name on the same hub.
      Optional<String> location = r.headers().firstValue("Location");
      if (location.isEmpty() || !isRelative(location.get())) {
        break;
      }
      uri = uri.resolve(location.get());
      r = send(request(uri, "GET", -1), HttpResponse.BodyHandlers.ofByteArray(), uri);
    }
    if (r.statusCode() != 200) {
      throw errorFor(r.statusCode(), r.headers().firstValue("X-Error-Code"), id, null, uri);
    }
    try {
      JsonNode root = json.readTree(r.body());
      String sha = root.path("sha").asText(null);
      if (sha == null || sha.isBlank()) {
        throw new HubException(
            HubException.Reason.PROTOCOL, "the hub's answer for " + id + " has no commit (sha): " + uri);
      }
      // The commit and the file names become paths in the cache: a hostile or compromised hub must
      // not be able to name a directory outside it (absolute paths, "..") before anything is written.
      if (!ModelId.isCommit(sha)) {
        throw new HubException(HubException.Reason.PROTOCOL, "the hub's answer for " + id
            + " names commit '" + sha + "', which is not a 40-character lowercase hex commit hash;"
            + " refusing to use it as a cache path. Is HF_ENDPOINT a hub you trust? " + uri);
      }
      List<String> files = new ArrayList<>();
      for (JsonNode s : root.path("siblings")) {
        String file = s.path("rfilename").asText();
        String problem = unsafeFileName(file);
        if (problem != null) {
          throw new HubException(HubException.Reason.PROTOCOL, "the hub's file listing of " + id
              + " has the file name '" + file + "' (" + problem + "); refusing to use it as a"
              + " cache path. Is HF_ENDPOINT a hub you trust? " + uri);
        }
        files.add(file);
      }
      return new RepoListing(sha, files);
    } catch (IOException e) {
      throw new HubException(
          HubException.Reason.PROTOCOL, "cannot parse the hub's file listing of " + id + " at " + uri, e);
    }
  }

  /**
   * Why a listed file name cannot be a path inside a snapshot directory, or null when it can: only
   * relative names of non-empty segments, none of them "." or "..", with no backslash or NUL.
   */
  static String unsafeFileName(String file) {
    if (file.isEmpty()) {
      return "empty";
    }
    if (file.startsWith("/")) {
      return "an absolute path";
    }
    if (file.indexOf('\\') >= 0 || file.indexOf('\0') >= 0) {
      return "a backslash or NUL character";
    }
    for (String segment : file.split("/", -1)) {
      if (segment.isEmpty()) {
        return "an empty path segment";
      }
      if (segment.equals("..") || segment.equals(".")) {
        return "a '" + segment + "' path segment";
      }
    }
    return null;
  }

  FileMetadata head(ModelId id, String commit, String file) {
    URI uri = resolveUrl(id, commit, file);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<Void> r =
          send(request(uri, "HEAD", -1), HttpResponse.BodyHandlers.discarding(), uri);
      int status = r.statusCode();
      Optional<String> location = r.headers().firstValue("Location");
      boolean describesFile =
          r.headers().firstValue("X-Linked-Etag").isPresent() || r.headers().firstValue("ETag").isPresent();
      if (isRedirect(status) && location.isPresent() && !describesFile) {
        // A renamed repository (or a mirror's indirection): the answer is not about the file yet, ask
        // where we are sent. An LFS redirect carries the file's etag and is taken as it is below,
        // whether its Location names a CDN or a path on the same server.
        uri = uri.resolve(location.get());
        continue;
      }
      if (status != 200 && !isRedirect(status)) {
        throw errorFor(status, r.headers().firstValue("X-Error-Code"), id, file, uri);
      }
      String etag =
          normalizeEtag(
              r.headers()
                  .firstValue("X-Linked-Etag")
                  .or(() -> r.headers().firstValue("ETag"))
                  .orElseThrow(
                      () ->
                          new HubException(
                              HubException.Reason.PROTOCOL,
                              "the hub sent no ETag for "
                                  + file
                                  + " at "
                                  + r.uri()
                                  + "; cannot cache it reliably. Is HF_ENDPOINT a hub?")));
      String fileCommit = r.headers().firstValue("X-Repo-Commit").orElse(commit);
      long size =
          r.headers()
              .firstValueAsLong("X-Linked-Size")
              .orElse(r.headers().firstValueAsLong("Content-Length").orElse(-1));
      URI target =
          isRedirect(status) && location.isPresent() ? uri.resolve(location.get()) : uri;
      return new FileMetadata(fileCommit, etag, size, target);
    }
    throw new HubException(HubException.Reason.PROTOCOL, "too many redirects for " + file + " at " + uri);
  }

  /**
   * Opens the body of {@code location} from byte {@code offset}, following redirects. The caller
   * checks for 200 / 206 / 416 and closes the stream.
   */
  HttpResponse<InputStream> open(ModelId id, String file, URI location, long offset) {
    URI uri = location;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<InputStream> r =
          send(request(uri, "GET", offset), HttpResponse.BodyHandlers.ofInputStream(), uri);
      Optional<String> next = r.headers().firstValue("Location");
      if (isRedirect(r.statusCode()) && next.isPresent()) {
        closeQuietly(r.body());
        uri = uri.resolve(next.get());
        continue;
      }
      int status = r.statusCode();
      if (status != 200 && status != 206 && status != 416) {
        closeQuietly(r.body());
        throw errorFor(status, r.headers().firstValue("X-Error-Code"), id, file, uri);
      }
      return r;
    }
    throw new HubException(HubException.Reason.PROTOCOL, "too many redirects for " + file + " at " + location);
  }

  private URI resolveUrl(ModelId id, String commit, String file) {
    StringBuilder path = new StringBuilder();
    for (String part : file.split("/")) {
      if (path.length() > 0) {
        path.append('/');
      }
      path.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return URI.create(options.endpoint() + "/" + id.repo() + "/resolve/" + commit + "/" + path);
  }

  private HttpRequest request(URI uri, String method, long rangeFrom) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("User-Agent", USER_AGENT)
            // Sizes and etags must describe the stored bytes, not a compressed encoding of them.
            .header("Accept-Encoding", "identity")
            // Covers the wait for the response headers only: with a streamed body the download of a
            // 5 GB shard may take as long as it takes.
            .timeout(REQUEST_TIMEOUT);
    if (rangeFrom > 0) {
      b.header("Range", "bytes=" + rangeFrom + "-");
    }
    if (options.token() != null && sameOrigin(uri, endpoint)) {
      b.header("Authorization", "Bearer " + options.token());
    }
    return b.build();
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw HubException.fromNetwork(uri.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(HubException.Reason.NETWORK, "interrupted while talking to " + uri, e);
    }
  }

  /** Maps a hub error answer to a reason and a message that says what to do. */
  HubException errorFor(int status, Optional<String> errorCode, ModelId id, String file, URI uri) {
    String code = errorCode.orElse("");
    String what = file == null ? "model " + id.repo() : "file " + file + " of " + id.repo();
    if (code.equals("RevisionNotFound")) {
      return new HubException(
          HubException.Reason.REVISION_NOT_FOUND,
          "revision '"
              + id.revision()
              + "' of "
              + id.repo()
              + " does not exist on "
              + options.endpoint()
              + ". Use a branch, tag or commit hash listed on the model page, or leave out @revision"
              + " for main.");
    }
    if (code.equals("GatedRepo") || ((status == 401 || status == 403) && !code.equals("RepoNotFound"))) {
      return new HubException(
          HubException.Reason.GATED,
          what
              + " requires authorization (HTTP "
              + status
              + "). "
              + (options.token() == null
                  ? "Set HF_TOKEN to an access token of your hub account"
                  : "The token in HF_TOKEN was refused: check it is valid and has read access")
              + ", and accept the model's terms on its page on the hub if it is gated.");
    }
    if (code.equals("RepoNotFound") || (status == 404 && file == null)) {
      return new HubException(
          HubException.Reason.REPO_NOT_FOUND,
          "model "
              + id.repo()
              + " was not found on "
              + options.endpoint()
              + ". Check the id (it is case-sensitive, e.g. Qwen/Qwen3-Reranker-0.6B)"
              + (options.token() == null
                  ? "; if the repository is private, set HF_TOKEN."
                  : "; the token in HF_TOKEN may not have access to it."));
    }
    if (status == 404) {
      return new HubException(
          HubException.Reason.FILE_NOT_FOUND,
          what + " is listed but not found at " + uri + " (HTTP 404). Try again; the revision may have changed.");
    }
    if (status >= 500 || status == 429) {
      return new HubException(
          HubException.Reason.NETWORK,
          "the hub answered HTTP " + status + " for " + uri + "; try again later");
    }
    return new HubException(
        HubException.Reason.PROTOCOL, "unexpected HTTP " + status + " for " + what + " at " + uri);
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static boolean isRelative(String location) {
    return URI.create(location).getHost() == null;
  }

  static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  /** {@code W/"abc"} and {@code "abc"} → {@code abc}: etags become file names in blobs/. */
  static String normalizeEtag(String etag) {
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    e = e.replace("\"", "");
    if (e.isEmpty() || e.contains("/") || e.contains("\\") || e.startsWith(".")) {
      throw new HubException(HubException.Reason.PROTOCOL, "the hub sent an unusable ETag: " + etag);
    }
    return e;
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // the response is abandoned anyway
    }
  }
}
