package dev.flinkreranker.replay;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.RankedCandidate;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.ranking.Ranking;
import dev.flinkreranker.scoring.ScoringService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.DoubleMaximum;
import org.apache.flink.api.common.accumulators.DoubleMinimum;
import org.apache.flink.api.common.accumulators.Histogram;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads the scored requests of a replay (every candidate, in input order, with its score) and
 * accumulates what reranking changed: results, top-1 changes, the score distribution and, for
 * labelled requests, top-1 accuracy, MRR@10 and nDCG@10 of the retrieval order (the input order of
 * the candidates) and of the reranked order (the order the job's ranking step produces). Emits
 * nothing: it is a side branch of the graph.
 */
public final class EvaluationTap extends ProcessFunction<ScoredRequest, Void> {
  /** Names this JVM's cache counts apart from other TaskManagers' (they are summed). */
  private static final String JVM_ID = java.util.UUID.randomUUID().toString();

  private final ScoringService.Key scoring;
  private transient LongMaximum cacheHits;
  private transient LongMaximum cacheLookups;
  private transient LongCounter results;
  private transient LongCounter top1Changed;
  private transient LongCounter labelled;
  private transient LongCounter labelledWithoutRelevant;
  private transient LongCounter badLabels;
  private transient LongCounter[] retrieval;
  private transient LongCounter[] reranked;
  private transient LongCounter scoreCount;
  private transient DoubleMinimum scoreMin;
  private transient DoubleMaximum scoreMax;
  private transient Histogram scoreHistogram;

  /** @param scoring the key of the job's scoring service, whose cache counts are published */
  public EvaluationTap(ScoringService.Key scoring) {
    this.scoring = scoring;
  }

  @Override
  public void open(OpenContext openContext) {
    cacheHits = new LongMaximum();
    cacheLookups = new LongMaximum();
    getRuntimeContext().addAccumulator(ReplayCounters.CACHE_HITS + JVM_ID, cacheHits);
    getRuntimeContext().addAccumulator(ReplayCounters.CACHE_LOOKUPS + JVM_ID, cacheLookups);
    results = counter(ReplayCounters.RESULTS);
    top1Changed = counter(ReplayCounters.TOP1_CHANGED);
    labelled = counter(ReplayCounters.LABELLED);
    labelledWithoutRelevant = counter(ReplayCounters.LABELLED_WITHOUT_RELEVANT);
    badLabels = counter(ReplayCounters.BAD_LABELS);
    retrieval = metricCounters(ReplayCounters.RETRIEVAL);
    reranked = metricCounters(ReplayCounters.RERANKED);
    scoreCount = counter(ReplayCounters.SCORE_COUNT);
    scoreMin = new DoubleMinimum();
    scoreMax = new DoubleMaximum();
    scoreHistogram = new Histogram();
    getRuntimeContext().addAccumulator(ReplayCounters.SCORE_MIN, scoreMin);
    getRuntimeContext().addAccumulator(ReplayCounters.SCORE_MAX, scoreMax);
    getRuntimeContext().addAccumulator(ReplayCounters.SCORE_HISTOGRAM, scoreHistogram);
  }

  private LongCounter counter(String name) {
    LongCounter c = new LongCounter();
    getRuntimeContext().addAccumulator(name, c);
    return c;
  }

  private LongCounter[] metricCounters(String order) {
    String base = ReplayCounters.METRIC + order;
    return new LongCounter[] {
        counter(base + ".top1"), counter(base + ".rr"), counter(base + ".ndcg")};
  }

  @Override
  public void processElement(ScoredRequest scored, Context ctx, Collector<Void> out) {
    // Every lookup of this request happened before it got here; the last request to arrive in
    // this JVM therefore sees the JVM's final counts (the maximum over its subtasks).
    ScoringService.peek(scoring).flatMap(ScoringService::cache).ifPresent(c -> {
      cacheHits.add(c.hits());
      cacheLookups.add(c.lookups());
    });
    if (scored.getFailureCode() != null) {
      return; // becomes a dead letter, counted by DeadLetterTap
    }
    results.add(1);
    CandidateSet set = scored.getRequest().getCandidateSet();
    List<Candidate> candidates = set.getCandidates();
    float[] scores = new float[candidates.size()];
    boolean[] truncated = new boolean[candidates.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = scored.getScores().get(i);
      scoreCount.add(1);
      scoreMin.add(scores[i]);
      scoreMax.add(scores[i]);
      scoreHistogram.add(ReplayCounters.scoreBin(scores[i]));
    }
    // The same ordering as the results: RankingFunction ranks with Ranking.rank too.
    List<String> rerankedIds = new ArrayList<>();
    for (RankedCandidate c : Ranking.rank(candidates, scores, truncated)) {
      rerankedIds.add(c.getId());
    }
    List<String> retrievalIds = candidates.stream().map(Candidate::getId).toList();
    if (!rerankedIds.get(0).equals(retrievalIds.get(0))) {
      top1Changed.add(1);
    }

    Map<String, Double> grades;
    try {
      grades = Labels.grades(set.getAttributes());
    } catch (IllegalArgumentException e) {
      badLabels.add(1);
      return;
    }
    if (grades.isEmpty()) {
      return;
    }
    if (!RankingMetrics.hasRelevant(retrievalIds, grades)) {
      labelledWithoutRelevant.add(1);
      return;
    }
    labelled.add(1);
    add(retrieval, RankingMetrics.of(retrievalIds, grades));
    add(reranked, RankingMetrics.of(rerankedIds, grades));
  }

  private static void add(LongCounter[] counters, RankingMetrics m) {
    counters[0].add(ReplayCounters.fixed(m.top1()));
    counters[1].add(ReplayCounters.fixed(m.reciprocalRank()));
    counters[2].add(ReplayCounters.fixed(m.ndcg()));
  }
}
