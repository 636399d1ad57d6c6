package dev.flinkreranker.model.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A hub on 127.0.0.1 that speaks the protocol the way the real one does: the revision API, {@code
 * resolve} URLs with {@code X-Repo-Commit} / {@code ETag} / {@code X-Linked-Etag} / {@code
 * X-Linked-Size}, LFS files answered with a 302 to a separate "CDN" server (another port, so another
 * origin), Range requests, and error codes in {@code X-Error-Code}. Faults can be injected: a
 * connection that drops after some bytes, corrupted content, a transfer that pauses half-way.
 */
public final class FakeHub implements AutoCloseable, AfterEachCallback {

  /** One model repository: its commit, branch/tag names and files at that commit. */
  public static final class Repo {
    final String id;
    final String commit;
    final Map<String, String> refs = new ConcurrentHashMap<>();
    final Map<String, byte[]> files;
    volatile boolean gated;

    Repo(String id, String commit, Map<String, byte[]> files) {
      this.id = id;
      this.commit = commit;
      this.files = files;
      refs.put("main", commit);
    }
  }

  /** One request as the servers saw it. */
  public record Request(String server, String method, String path, String range, String authorization) {}

  static final String TOKEN = "hf_test_token";

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, String> renamed = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobsBySha = new ConcurrentHashMap<>();
  public final List<Request> requests = new CopyOnWriteArrayList<>();

  // Faults.
  /** Like some mirrors: LFS files redirect to a path on the hub's own server instead of a CDN. */
  volatile boolean relativeLfsRedirects;

  /**
   * A hostile hub: the revision API lists this as the commit (a path, say), and resolve answers
   * for whatever commit it is asked, with the file named by the last path segment.
   */
  volatile String hostileSha;

  private final AtomicInteger dropsLeft = new AtomicInteger();
  private volatile long dropAfterBytes;
  final Set<String> corrupted = ConcurrentHashMap.newKeySet();
  private volatile String pauseSha;
  final CountDownLatch pauseReached = new CountDownLatch(1);
  final CountDownLatch pauseRelease = new CountDownLatch(1);

  public FakeHub() throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    hub = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
    hub.setExecutor(pool);
    cdn.setExecutor(pool);
    hub.createContext("/", ex -> handle(ex, this::hubRequest, "hub"));
    cdn.createContext("/", ex -> handle(ex, this::cdnRequest, "cdn"));
    hub.start();
    cdn.start();
  }

  /**
   * A started hub for a test field, {@code @RegisterExtension final FakeHub hub =
   * FakeHub.started();}: JUnit makes one per test and closes it after the test.
   */
  public static FakeHub started() {
    try {
      return new FakeHub();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the fake hub", e);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  public String endpoint() {
    return "http://127.0.0.1:" + hub.getAddress().getPort();
  }

  private String cdnBase() {
    return "http://127.0.0.1:" + cdn.getAddress().getPort();
  }

  public Repo addRepo(String id, String commit, Map<String, byte[]> files) {
    Repo repo = new Repo(id, commit, new LinkedHashMap<>(files));
    repos.put(id, repo);
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      if (isLfs(f.getKey(), f.getValue())) {
        blobsBySha.put(sha256(f.getValue()), f.getValue());
      }
    }
    return repo;
  }

  /** Requests for {@code oldId} are redirected (relative Location) to {@code newId}. */
  void rename(String oldId, String newId) {
    renamed.put(oldId, newId);
  }

  /** The next {@code times} CDN downloads send {@code afterBytes} bytes and then drop the connection. */
  void dropConnections(int times, long afterBytes) {
    dropAfterBytes = afterBytes;
    dropsLeft.set(times);
  }

  /** The next CDN download of this blob sends half of it, then waits for {@link #pauseRelease}. */
  void pauseHalfWay(String sha) {
    pauseSha = sha;
  }

  public long count(String server, String method, String pathContains) {
    return requests.stream()
        .filter(r -> r.server().equals(server) && r.method().equals(method) && r.path().contains(pathContains))
        .count();
  }

  /** Like huggingface_hub: files tracked by LFS are the big ones and the weights. */
  static boolean isLfs(String name, byte[] content) {
    return name.endsWith(".safetensors") || name.endsWith(".bin") || content.length > 100_000;
  }

  public static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The git blob id the hub uses as ETag of files stored in git. */
  static String gitSha1(byte[] content) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha1.digest(content));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String etagOf(String name, byte[] content) {
    return isLfs(name, content) ? sha256(content) : gitSha1(content);
  }

  private interface Handler {
    void handle(HttpExchange ex, String path) throws IOException, InterruptedException;
  }

  private void handle(HttpExchange ex, Handler handler, String server) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            path,
            ex.getRequestHeaders().getFirst("Range"),
            ex.getRequestHeaders().getFirst("Authorization")));
    try {
      handler.handle(ex, path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // an injected drop, or the client went away
    } finally {
      ex.close();
    }
  }

  private void hubRequest(HttpExchange ex, String rawPath) throws IOException, InterruptedException {
    if (rawPath.startsWith("/blobs/")) {
      cdnRequest(ex, rawPath);
      return;
    }
    String[] parts = rawPath.split("/", -1);
    boolean api = rawPath.startsWith("/api/models/");
    // /api/models/{org}/{name}/revision/{rev}  or  /{org}/{name}/resolve/{rev}/{file...}
    int base = api ? 3 : 1;
    if (parts.length < base + 4) {
      error(ex, 404, "EntryNotFound");
      return;
    }
    String repoId = parts[base] + "/" + parts[base + 1];
    String kind = parts[base + 2];
    String rev = URLDecoder.decode(parts[base + 3], StandardCharsets.UTF_8);
    if (renamed.containsKey(repoId)) {
      ex.getResponseHeaders().set("Location", rawPath.replace("/" + repoId + "/", "/" + renamed.get(repoId) + "/"));
      ex.sendResponseHeaders(307, -1);
      return;
    }
    Repo repo = repos.get(repoId);
    if (repo == null) {
      error(ex, 404, "RepoNotFound");
      return;
    }
    String commit = repo.refs.getOrDefault(rev, rev.equals(repo.commit) ? repo.commit : null);
    String hostile = hostileSha;
    if (hostile != null) {
      commit = hostile;
    }
    if (commit == null) {
      error(ex, 404, "RevisionNotFound");
      return;
    }
    if (api && kind.equals("revision") && ex.getRequestMethod().equals("GET")) {
      StringBuilder json = new StringBuilder("{\"id\":\"" + repo.id + "\",\"sha\":\"" + jsonText(commit) + "\",\"siblings\":[");
      int i = 0;
      for (String f : repo.files.keySet()) {
        json.append(i++ > 0 ? "," : "").append("{\"rfilename\":\"").append(jsonText(f)).append("\"}");
      }
      byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      return;
    }
    if (api || !kind.equals("resolve")) {
      error(ex, 404, "EntryNotFound");
      return;
    }
    if (repo.gated && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      error(ex, 401, "GatedRepo");
      return;
    }
    String file = URLDecoder.decode(hostile != null ? parts[parts.length - 1]
        : String.join("/", List.of(parts).subList(base + 4, parts.length)), StandardCharsets.UTF_8);
    byte[] content = repo.files.get(file);
    if (content == null) {
      error(ex, 404, "EntryNotFound");
      return;
    }
    ex.getResponseHeaders().set("X-Repo-Commit", commit);
    if (isLfs(file, content)) {
      String sha = sha256(content);
      ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().set("X-Linked-Size", Long.toString(content.length));
      // Like the real hub, ETag is the git id of the small LFS pointer file, not of the content.
      ex.getResponseHeaders().set("ETag", "\"" + gitSha1(("oid sha256:" + sha + "\nsize " + content.length + "\n").getBytes(StandardCharsets.UTF_8)) + "\"");
      ex.getResponseHeaders().set("Location", (relativeLfsRedirects ? "" : cdnBase()) + "/blobs/" + sha + "?download=true");
      ex.sendResponseHeaders(302, -1);
      return;
    }
    ex.getResponseHeaders().set("ETag", "\"" + gitSha1(content) + "\"");
    sendWithRanges(ex, content, null);
  }

  private void cdnRequest(HttpExchange ex, String rawPath) throws IOException, InterruptedException {
    String sha = rawPath.substring(rawPath.lastIndexOf('/') + 1);
    byte[] content = blobsBySha.get(sha);
    if (content == null) {
      ex.sendResponseHeaders(404, -1);
      return;
    }
    if (corrupted.contains(sha)) {
      content = content.clone();
      content[content.length / 2] ^= 0x5a;
    }
    sendWithRanges(ex, content, sha);
  }

  private void sendWithRanges(HttpExchange ex, byte[] content, String sha) throws IOException, InterruptedException {
    long from = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      from = Long.parseLong(range.substring(6, range.length() - 1));
      if (from >= content.length) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
        ex.sendResponseHeaders(416, -1);
        return;
      }
      ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    int status = range != null ? 206 : 200;
    long length = content.length - from;
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    if (sha != null && dropsLeft.getAndDecrement() > 0) {
      out.write(content, (int) from, (int) Math.min(dropAfterBytes, length));
      out.flush();
      throw new IOException("injected drop"); // closing now leaves the body short: the client sees EOF
    }
    if (sha != null && sha.equals(pauseSha)) {
      pauseSha = null;
      int half = (int) (length / 2);
      out.write(content, (int) from, half);
      out.flush();
      pauseReached.countDown();
      pauseRelease.await(); // close() releases it too, so a failing test cannot hang here
      out.write(content, (int) from + half, (int) length - half);
      return;
    }
    out.write(content, (int) from, (int) length);
  }

  /** The inside of a JSON string: hostile listings name files with backslashes and quotes. */
  private static String jsonText(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void error(HttpExchange ex, int status, String code) throws IOException {
    ex.getResponseHeaders().set("X-Error-Code", code);
    byte[] body = ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
  }

  List<Request> requestsTo(String server) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.server().equals(server)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() {
    pauseRelease.countDown();
    hub.stop(0);
    cdn.stop(0);
    pool.shutdownNow();
  }
}
