package dev.flinkreranker.scoring;

import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Scorer} decorator that remembers scores, so that a (query, document) pair that repeats in
 * a log (or in a stream: popular queries) is scored once.
 *
 * <p>Key: SHA-256 over (model, instruction, query, document), truncated to 128 bits, so an entry
 * costs ~100 bytes however long the document is. For {@linkplain Scorer#requestScoped()
 * request-scoped} scorers (BM25: a score depends on the other candidates of the request, which form
 * the corpus) the key also covers every document of the pair's corpus, in order: such a pair is only
 * a hit when the whole request repeats, which is exactly when its score would repeat.
 *
 * <p>Bounded: least-recently-used entries are evicted beyond {@code maxEntries}. Thread-safe; the
 * micro-batcher calls it from one thread, metrics read the counters from others.
 */
public final class CachingScorer extends ForwardingScorer {
  private final int maxEntries;
  private final Map<Key, Float> cache;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong lookups = new AtomicLong();

  /** 128 bits of the SHA-256 of a pair's identity. */
  private record Key(long hi, long lo) {}

  public CachingScorer(Scorer delegate, int maxEntries) {
    super(delegate);
    if (maxEntries < 1) {
      throw new IllegalArgumentException("cache.max-entries must be >= 1, got " + maxEntries);
    }
    this.maxEntries = maxEntries;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Float> eldest) {
        return size() > CachingScorer.this.maxEntries;
      }
    };
  }

  /** Wraps the scorers a factory opens. */
  public static ScoringService.ScorerFactory wrap(ScoringService.ScorerFactory factory,
      int maxEntries) {
    return spec -> new CachingScorer(factory.open(spec), maxEntries);
  }

  @Override
  public PreparedPair prepare(Pair pair) {
    // Preparation also decides the truncated flag, so it is not cached: only scores are.
    return delegate.prepare(pair);
  }

  @Override
  public float[] scorePrepared(List<PreparedPair> pairs) {
    Key[] keys = keys(pairs);
    float[] scores = new float[pairs.size()];
    List<Integer> missing = new ArrayList<>();
    synchronized (cache) {
      for (int i = 0; i < keys.length; i++) {
        Float s = cache.get(keys[i]);
        if (s == null) {
          missing.add(i);
        } else {
          scores[i] = s;
        }
      }
    }
    lookups.addAndGet(keys.length);
    hits.addAndGet(keys.length - missing.size());
    if (missing.isEmpty()) {
      return scores;
    }
    // A request-scoped scorer needs the whole corpus: score all pairs of the call, not just misses.
    List<PreparedPair> toScore = delegate.requestScoped() ? pairs
        : missing.stream().map(pairs::get).toList();
    float[] fresh = delegate.scorePrepared(toScore);
    if (fresh.length != toScore.size()) {
      throw new IllegalStateException(
          "scorer returned " + fresh.length + " scores for " + toScore.size() + " pairs");
    }
    synchronized (cache) {
      for (int j = 0; j < missing.size(); j++) {
        int i = missing.get(j);
        scores[i] = delegate.requestScoped() ? fresh[i] : fresh[j];
        cache.put(keys[i], scores[i]);
      }
    }
    return scores;
  }

  private Key[] keys(List<PreparedPair> pairs) {
    Key[] keys = new Key[pairs.size()];
    Map<List<String>, byte[]> corpora = delegate.requestScoped() ? corpusDigests(pairs) : Map.of();
    for (int i = 0; i < keys.length; i++) {
      Pair p = pairs.get(i).pair();
      MessageDigest d = sha256();
      update(d, delegate.name());
      update(d, p.instruction());
      update(d, p.query());
      update(d, p.document());
      if (delegate.requestScoped()) {
        d.update(corpora.get(corpusKey(p)));
      }
      byte[] h = d.digest();
      keys[i] = new Key(toLong(h, 0), toLong(h, 8));
    }
    return keys;
  }

  /** The digest of every corpus in the call; LexicalScorer's grouping: (query, instruction). */
  private static Map<List<String>, byte[]> corpusDigests(List<PreparedPair> pairs) {
    Map<List<String>, MessageDigest> digests = new LinkedHashMap<>();
    for (PreparedPair pp : pairs) {
      update(digests.computeIfAbsent(corpusKey(pp.pair()), k -> sha256()), pp.pair().document());
    }
    Map<List<String>, byte[]> out = new LinkedHashMap<>();
    digests.forEach((k, d) -> out.put(k, d.digest()));
    return out;
  }

  private static List<String> corpusKey(Pair p) {
    return List.of(p.query(), Objects.requireNonNullElse(p.instruction(), "\u0000"));
  }

  /** Length-prefixed, so that ("ab","c") and ("a","bc") differ; null differs from "". */
  private static void update(MessageDigest d, String s) {
    if (s == null) {
      d.update((byte) 0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    d.update((byte) 1);
    d.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16),
        (byte) (b.length >>> 8), (byte) b.length});
    d.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  /** Pairs answered from the cache so far. */
  public long hits() {
    return hits.get();
  }

  /** Pairs looked up so far (hits + misses). */
  public long lookups() {
    return lookups.get();
  }

  /** hits / lookups, 0 before the first lookup. */
  public double hitRate() {
    long l = lookups.get();
    return l == 0 ? 0 : (double) hits.get() / l;
  }

  public int size() {
    synchronized (cache) {
      return cache.size();
    }
  }

}
