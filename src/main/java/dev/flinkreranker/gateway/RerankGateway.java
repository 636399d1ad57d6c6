package dev.flinkreranker.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.kafka.RecordEncoding;
import dev.flinkreranker.validation.ReasonCode;
import dev.flinkreranker.validation.RejectedRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP door into the stream: each rerank/score request becomes one CandidateSet on the job's
 * input topic, and its answer is the job's result (or dead letter) for that request id, read back
 * by {@link AnswerListener}. The gateway never scores by itself.
 *
 * <p>Every request ends with a response: a result, a dead letter (400, or 500/504 for scoring
 * failures and job timeouts), 504 when no answer comes within the request timeout, 503 when more
 * than {@code maxPending} requests are waiting or Kafka cannot take the request.
 */
public final class RerankGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RerankGateway.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static {
    // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
    // the body then waits for the client's delayed ACK (tens of ms per answer). Read once, when
    // the server's config class loads, so set it before the first server is created.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final Set<String> SERVER_SIDE_CODES = Set.of("SCORING_FAILED", "TIMEOUT");

  private final GatewayConfig config;
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ExecutorService responders;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AnswerListener listener;
  private final Thread listenerThread;
  private final Map<String, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
  private final StreamView view = new StreamView();
  private final GatewayMetrics metrics = new GatewayMetrics();
  private final Console console = new Console();
  private final Set<String> acceptedModels;
  private final TokenCounter tokenCounter;

  /** A result or a dead letter of the job, as a JSON tree. */
  private record Answer(JsonNode result, JsonNode deadLetter) {}

  private RerankGateway(GatewayConfig config) throws IOException {
    config.check();
    this.config = config;
    this.acceptedModels = Set.copyOf(List.of(config.servedModel(), config.jobModel));
    // Bind first: a port in use is reported before anything waits for Kafka.
    try {
      server = HttpServer.create(new InetSocketAddress(config.host, config.port), 128);
    } catch (BindException e) {
      throw new BindException("cannot listen on " + config.host + ":" + config.port + ": "
          + e.getMessage());
    }
    listener = new AnswerListener(config, this::onResult, this::onDeadLetter);
    try {
      listener.seekToEnd();
    } catch (RuntimeException e) {
      server.stop(0);
      listener.close();
      listener.run(); // returns at once and closes the consumer
      throw e;
    }
    producer = producer(config);
    tokenCounter = TokenCounter.open(config.jobModel, config.maxLength, config.defaultInstruction);
    listenerThread = new Thread(listener, "gateway-answers");
    listenerThread.setDaemon(true);
    listenerThread.start();
    // Bounded workers; when their queue is full the accepting thread runs the exchange itself,
    // which slows down accepting instead of dropping a connection without an answer.
    workers = new ThreadPoolExecutor(config.threads, config.threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(1024), daemon("gateway-http"),
        new ThreadPoolExecutor.CallerRunsPolicy());
    responders = Executors.newFixedThreadPool(Math.max(2, config.threads / 2),
        daemon("gateway-reply"));
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
    LOG.info("Gateway on {} (results read {})", uri(), config.isolation.kafkaValue());
  }

  /**
   * Starts the gateway: assigns the answer topics at their end, then listens. Throws a {@link
   * BindException} naming the address when the port is in use.
   */
  public static RerankGateway start(GatewayConfig config) throws IOException {
    return new RerankGateway(config);
  }

  public URI uri() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + (a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : config.host)
        + ":" + a.getPort() + "/");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests waiting for their answer from the job. */
  public int pending() {
    return pending.size();
  }

  // ---------------------------------------------------------------- answers from the job

  private void onResult(JsonNode result, long now) {
    view.onResult(result, now);
    complete(result.path("request_id").asText(null), new Answer(result, null));
  }

  private void onDeadLetter(JsonNode deadLetter, long now) {
    view.onDeadLetter(deadLetter, now);
    JsonNode id = deadLetter.get("request_id");
    if (id != null && id.isTextual()) {
      complete(id.asText(), new Answer(null, deadLetter));
    }
  }

  private void complete(String requestId, Answer answer) {
    CompletableFuture<Answer> f = requestId == null ? null : pending.remove(requestId);
    if (f != null) {
      f.complete(answer);
    } else if (requestId != null && requestId.startsWith("gw-")) {
      // A gateway request answered after its timeout, or a duplicate after a job failover
      // (read_uncommitted), or a request of another gateway.
      metrics.lateAnswers.increment();
    }
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange ex) {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    long start = System.nanoTime();
    try {
      switch (path) {
        case "/rerank", "/v1/rerank", "/v2/rerank" ->
            call(ex, path, start, () -> RerankCall.rerank(readJson(ex, method)));
        case "/score", "/v1/score" -> call(ex, path, start, () -> RerankCall.score(readJson(ex, method)));
        case "/v1/models" -> reply(ex, path, 200, models());
        case "/health" -> reply(ex, path, listenerThread.isAlive() ? 200 : 503,
            JSON.createObjectNode().put("status", listenerThread.isAlive() ? "ok" : "not reading results"));
        case "/metrics" -> replyBytes(ex, path, 200, "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(pending.size(), view).getBytes(StandardCharsets.UTF_8));
        case "/api/stream" -> reply(ex, path, 200, streamSnapshot());
        default -> {
          Console.Asset asset = console.asset(path);
          if (asset == null) {
            throw new ApiException(404, "no such endpoint: " + path, null, null);
          }
          replyBytes(ex, path, 200, asset.contentType(), asset.bytes());
        }
      }
    } catch (ApiException e) {
      reply(ex, path, e.status, e.body());
    } catch (RuntimeException e) {
      LOG.warn("Request {} failed", path, e);
      reply(ex, path, 500, new ApiException(500, "internal error: " + e, null, null).body());
    }
  }

  /** Reading a request body may fail with an API error. */
  private interface Reader {
    RerankCall read() throws ApiException;
  }

  /** A rerank/score call: validate, publish, and answer when the job's answer arrives. */
  private void call(HttpExchange ex, String path, long start, Reader reader) throws ApiException {
    RerankCall call = reader.read();
    if (call.model() != null && !acceptedModels.contains(call.model())) {
      throw new ApiException(404, "The model `" + call.model() + "` does not exist.", "model", null);
    }
    String requestId = "gw-" + UUID.randomUUID();
    CandidateSet set = call.toCandidateSet(requestId, System.currentTimeMillis());
    // The job's own rules with its reason codes, checked here so that an obviously bad request is
    // answered at once instead of after a round trip through the job.
    try {
      config.validator.validate(set);
    } catch (RejectedRecordException e) {
      throw new ApiException(400, e.getMessage(), null, e.code().name());
    }
    byte[] value = RecordEncoding.encode(set, config.inputFormat);
    if (value.length > config.maxRecordBytes) {
      // The job would dead-letter it without being able to read its request id.
      throw new ApiException(400, "the request encodes to " + value.length
          + " bytes, more than the job's input.max-record-bytes=" + config.maxRecordBytes, null,
          ReasonCode.RECORD_TOO_LARGE.name());
    }
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    synchronized (pending) {
      if (pending.size() >= config.maxPending) {
        throw new ApiException(503, pending.size() + " requests are waiting for the job, the"
            + " gateway's limit (--max-pending): try again later", null, null);
      }
      pending.put(requestId, answer);
    }
    Integer tokens = tokenCounter.tokens(set);
    try {
      producer.send(new ProducerRecord<>(config.inputTopic,
          requestId.getBytes(StandardCharsets.UTF_8), value), (meta, error) -> {
            if (error != null) {
              answer.completeExceptionally(unpublished(error));
            }
          });
    } catch (RuntimeException e) {
      answer.completeExceptionally(unpublished(e));
    }
    answer.orTimeout(config.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenCompleteAsync((a, error) -> {
          pending.remove(requestId);
          try {
            if (error != null) {
              Throwable cause = error instanceof CompletionException
                  ? error.getCause() : error;
              throw cause instanceof ApiException api ? api
                  : cause instanceof TimeoutException
                      ? new ApiException(504, "no answer from the job within "
                          + config.requestTimeout.toMillis() + " ms (request " + requestId + ")",
                          null, null)
                      : new ApiException(500, "internal error: " + cause, null, null);
            }
            JsonNode body = render(call, requestId, a, tokens);
            view.onRoundTrip((System.nanoTime() - start) / 1_000_000, System.currentTimeMillis());
            reply(ex, path, 200, body);
          } catch (ApiException e) {
            reply(ex, path, e.status, e.body());
          } catch (RuntimeException e) {
            LOG.warn("Answering {} failed", requestId, e);
            reply(ex, path, 500, new ApiException(500, "internal error: " + e, null, null).body());
          }
        }, responders);
  }

  private ApiException unpublished(Exception error) {
    return new ApiException(503, "cannot publish the request to Kafka topic '"
        + config.inputTopic + "': " + error.getMessage(), null, null);
  }

  private JsonNode render(RerankCall call, String requestId, Answer a, Integer tokens)
      throws ApiException {
    if (a.deadLetter() != null) {
      String code = a.deadLetter().path("reason_code").asText();
      int status = code.equals("TIMEOUT") ? 504 : SERVER_SIDE_CODES.contains(code) ? 500 : 400;
      throw new ApiException(status, a.deadLetter().path("reason").asText(), null, code);
    }
    int n = call.documents().size();
    double[] scores = new double[n];
    Arrays.fill(scores, Double.NaN);
    for (JsonNode c : a.result().path("ranked")) {
      int i = index(c.path("id").asText(), n);
      if (i >= 0) {
        scores[i] = c.path("score").asDouble();
      }
    }
    for (double s : scores) {
      if (Double.isNaN(s)) {
        throw new ApiException(502, "the job's result for " + requestId + " lacks scores of some"
            + " documents (is the job's ranking.top-k capped below the request's top_k?)", null, null);
      }
    }
    return call.answer(requestId, scores, tokens, config.servedModel());
  }

  private static int index(String id, int n) {
    try {
      int i = Integer.parseInt(id);
      return i >= 0 && i < n ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private ObjectNode models() {
    ObjectNode out = JSON.createObjectNode().put("object", "list");
    out.putArray("data").addObject().put("id", config.servedModel()).put("object", "model")
        .put("created", System.currentTimeMillis() / 1000).put("owned_by", "flink-reranker")
        .put("root", config.jobModel).put("max_model_len", config.maxLength);
    return out;
  }

  private ObjectNode streamSnapshot() {
    ObjectNode s = view.snapshot(System.currentTimeMillis());
    s.put("served_model", config.servedModel()).put("job_model", config.jobModel)
        .put("isolation", config.isolation.kafkaValue())
        .put("checkpoint_millis", config.checkpointInterval.toMillis())
        .put("pending", pending.size())
        .put("flink_dashboard_url", config.flinkDashboardUrl)
        .put("grafana_url", config.grafanaUrl);
    return s;
  }

  private JsonNode readJson(HttpExchange ex, String method) throws ApiException {
    if (!method.equals("POST")) {
      throw new ApiException(405, "use POST with a JSON body", null, null);
    }
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > config.maxBodyBytes) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid Content-Length", null);
      }
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(config.maxBodyBytes + 1);
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage(), null);
    }
    if (body.length > config.maxBodyBytes) {
      throw tooLarge();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage(),
          null);
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage(), null);
    }
  }

  private ApiException tooLarge() {
    return new ApiException(413, "the request body is larger than " + config.maxBodyBytes
        + " bytes (--max-body-bytes)", null, ReasonCode.RECORD_TOO_LARGE.name());
  }

  private void reply(HttpExchange ex, String path, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    replyBytes(ex, path, status, "application/json", bytes);
  }

  private void replyBytes(HttpExchange ex, String path, int status, String type, byte[] bytes) {
    metrics.count(path, status);
    try (ex) {
      ex.getResponseHeaders().set("Content-Type", type);
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      if (status == 503) {
        ex.getResponseHeaders().set("Retry-After", "1");
      }
      ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      LOG.debug("Client went away before its answer: {}", e.toString());
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private static KafkaProducer<byte[], byte[]> producer(GatewayConfig c) {
    Properties p = new Properties();
    p.putAll(c.kafkaProperties);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // Requests are sent one by one: no batching delay; never block an HTTP thread for long.
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(c.maxRecordBytes + 64 * 1024));
    return new KafkaProducer<>(p);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    server.stop(0);
    listener.close();
    producer.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    responders.shutdownNow();
    tokenCounter.close();
  }
}
