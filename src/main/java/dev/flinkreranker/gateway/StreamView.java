package dev.flinkreranker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;

/**
 * What the console's live view shows, built from what the gateway's results consumer sees (every
 * result and dead letter of the job, not only the gateway's own): the latest results and dead
 * letters, throughput, and latency percentiles over the last five minutes.
 */
final class StreamView {
  static final int LATEST = 20;
  static final long WINDOW_MS = 5 * 60_000;
  static final long BUCKET_MS = 10_000;
  static final int MAX_EVENTS = 200_000;
  private static final int CLIP = 120;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final Deque<ObjectNode> results = new ArrayDeque<>();
  private final Deque<ObjectNode> deadLetters = new ArrayDeque<>();
  /** {seen at, 0 = result | 1 = dead letter, queue + inference millis of a result}. */
  private final Deque<long[]> events = new ArrayDeque<>();
  /** {answered at, HTTP round-trip millis} of the gateway's own requests. */
  private final Deque<long[]> roundTrips = new ArrayDeque<>();
  private long totalResults;
  private long totalDeadLetters;

  synchronized void onResult(JsonNode r, long now) {
    totalResults++;
    JsonNode top1 = r.path("top1");
    ObjectNode e = F.objectNode().put("request_id", r.path("request_id").asText())
        .put("query", clip(r.path("query").asText())).put("model", r.path("model").asText())
        .put("candidates", r.path("candidate_count").asInt())
        .put("queue_millis", r.path("queue_millis").asLong())
        .put("inference_millis", r.path("inference_millis").asLong())
        .put("via", r.path("attributes").path("via").asText(""))
        .put("event_time", r.path("event_time").asLong())
        .put("emitted_at", r.path("emitted_at").asLong())
        .put("seen_at", now);
    e.putObject("top1").put("id", top1.path("id").asText())
        .put("text", clip(top1.path("text").asText())).put("score", top1.path("score").asDouble());
    push(results, e);
    events.addLast(new long[] {now, 0,
        r.path("queue_millis").asLong() + r.path("inference_millis").asLong()});
    expire(now);
  }

  synchronized void onDeadLetter(JsonNode d, long now) {
    totalDeadLetters++;
    push(deadLetters, F.objectNode()
        .put("request_id", d.path("request_id").isTextual() ? d.get("request_id").asText() : null)
        .put("reason_code", d.path("reason_code").asText())
        .put("reason", clip(d.path("reason").asText()))
        .put("seen_at", now));
    events.addLast(new long[] {now, 1, 0});
    expire(now);
  }

  synchronized void onRoundTrip(long millis, long now) {
    roundTrips.addLast(new long[] {now, millis});
    expire(now);
  }

  synchronized long totalResults() {
    return totalResults;
  }

  synchronized long totalDeadLetters() {
    return totalDeadLetters;
  }

  /** p50 and p99 of the gateway's HTTP round trips in the window, in ms ({NaN, NaN} if none). */
  synchronized double[] roundTripPercentiles(long now) {
    expire(now);
    return percentiles(roundTrips.stream().mapToLong(e -> e[1]).toArray());
  }

  synchronized ObjectNode snapshot(long now) {
    expire(now);
    ObjectNode s = F.objectNode().put("now", now).put("window_seconds", WINDOW_MS / 1000)
        .put("total_results", totalResults).put("total_dead_letters", totalDeadLetters);
    ArrayNode r = s.putArray("results");
    results.descendingIterator().forEachRemaining(r::add);
    ArrayNode d = s.putArray("dead_letters");
    deadLetters.descendingIterator().forEachRemaining(d::add);
    // Throughput: records per second over the last minute, and per 10-second bucket for the window.
    long lastMinute = events.stream().filter(e -> e[0] > now - 60_000).count();
    s.put("per_second_last_minute", lastMinute / 60.0);
    int buckets = (int) (WINDOW_MS / BUCKET_MS);
    long[] counts = new long[buckets];
    for (long[] e : events) {
      int b = (int) ((now - e[0]) / BUCKET_MS);
      if (b >= 0 && b < buckets) {
        counts[buckets - 1 - b]++;
      }
    }
    ArrayNode series = s.putArray("per_10s");
    Arrays.stream(counts).forEach(series::add);
    latency(s.putObject("scoring_millis"),
        events.stream().filter(e -> e[1] == 0).mapToLong(e -> e[2]).toArray());
    latency(s.putObject("http_millis"), roundTrips.stream().mapToLong(e -> e[1]).toArray());
    return s;
  }

  private static void latency(ObjectNode out, long[] values) {
    double[] p = percentiles(values);
    out.put("count", values.length);
    if (values.length > 0) {
      out.put("p50", p[0]).put("p99", p[1]);
    }
  }

  /** Nearest-rank p50 and p99. */
  static double[] percentiles(long[] values) {
    if (values.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    long[] v = values.clone();
    Arrays.sort(v);
    return new double[] {v[rank(0.50, v.length)], v[rank(0.99, v.length)]};
  }

  private static int rank(double q, int n) {
    return Math.max(0, (int) Math.ceil(q * n) - 1);
  }

  private void expire(long now) {
    // Bounded whatever the rate: the oldest go first (the window then covers less time).
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
    while (roundTrips.size() > MAX_EVENTS) {
      roundTrips.removeFirst();
    }
    for (Deque<long[]> q : java.util.List.of(events, roundTrips)) {
      for (Iterator<long[]> it = q.iterator(); it.hasNext(); ) {
        if (it.next()[0] > now - WINDOW_MS) {
          break;
        }
        it.remove();
      }
    }
  }

  private static void push(Deque<ObjectNode> q, ObjectNode e) {
    q.addLast(e);
    if (q.size() > LATEST) {
      q.removeFirst();
    }
  }

  /** The first characters of a text on one line, like the seed page. */
  static String clip(String text) {
    String oneLine = text.replaceAll("\\s+", " ").trim();
    int n = oneLine.codePointCount(0, oneLine.length());
    return n <= CLIP ? oneLine : oneLine.substring(0, oneLine.offsetByCodePoints(0, CLIP)) + "...";
  }
}
