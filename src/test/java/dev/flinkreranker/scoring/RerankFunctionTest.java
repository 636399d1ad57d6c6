package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import dev.flinkreranker.avro.internal.RawRecord;
import dev.flinkreranker.avro.internal.RerankRequest;
import dev.flinkreranker.avro.internal.ScoredRequest;
import dev.flinkreranker.score.Pair;
import dev.flinkreranker.score.PreparedPair;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.testutil.RecordingScorer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The async function inside Flink's real async operator (test harness): subtasks share one model,
 * results keep their request, failures come back as failure records, and a request in flight at a
 * checkpoint is scored again after a restore.
 */
class RerankFunctionTest {

  /** Scorers per test, found by the factory through the spec's model name (factories are serialized). */
  static final Map<String, RecordingScorer> SCORERS = new ConcurrentHashMap<>();
  static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();
  static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

  private static ScoringService.ScorerFactory factory() {
    return spec -> {
      OPENS.computeIfAbsent(spec.model(), k -> new AtomicInteger()).incrementAndGet();
      CountDownLatch gate = GATES.get(spec.model());
      RecordingScorer recording = SCORERS.computeIfAbsent(spec.model(),
          k -> new RecordingScorer(d -> d.contains("FAIL")));
      return new Scorer() {
        @Override
        public String name() {
          return spec.model();
        }

        @Override
        public PreparedPair prepare(Pair pair) {
          return recording.prepare(pair);
        }

        @Override
        public float[] scorePrepared(List<PreparedPair> pairs) {
          try {
            if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
              throw new IllegalStateException("gate never opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          return recording.scorePrepared(pairs);
        }

        @Override
        public void close() {
          recording.close();
        }
      };
    };
  }

  private static RerankRequest request(String id, String... docs) {
    List<Candidate> c = new ArrayList<>();
    for (int i = 0; i < docs.length; i++) {
      c.add(new Candidate(id + "-" + i, docs[i], null, null));
    }
    return new RerankRequest(
        new CandidateSet(id, "query " + id, null, c, Instant.EPOCH, null, Map.of()),
        RawRecord.newBuilder().setTopic("t").setPartition(0).setOffset(1L).build(), 0L, 0);
  }

  private static OneInputStreamOperatorTestHarness<RerankRequest, ScoredRequest> harness(
      String model, int subtask, int parallelism) throws Exception {
    RerankFunction fn = new RerankFunction(
        new ScoringService.Key(new ScorerSpec(model, "cpu", "fp32", 512),
            new BatchSettings(64, 1_000_000, Duration.ofMillis(5), 1000)),
        factory(), null, Duration.ofSeconds(30));
    AsyncWaitOperatorFactory<RerankRequest, ScoredRequest> operator = new AsyncWaitOperatorFactory<>(
        fn, 60_000, 10, AsyncDataStream.OutputMode.UNORDERED);
    OneInputStreamOperatorTestHarness<RerankRequest, ScoredRequest> h =
        new OneInputStreamOperatorTestHarness<>(operator, parallelism, parallelism, subtask);
    // The async operator checkpoints in-flight inputs with the input serializer.
    h.getStreamConfig().setupNetworkInputs(new AvroSerializer<>(RerankRequest.class));
    h.getStreamConfig().serializeAllConfigs();
    return h;
  }

  private static List<ScoredRequest> drain(
      OneInputStreamOperatorTestHarness<RerankRequest, ScoredRequest> h) throws Exception {
    h.endInput();
    List<ScoredRequest> out = new ArrayList<>();
    for (Object o : h.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        out.add((ScoredRequest) r.getValue());
      }
    }
    return out;
  }

  @Test
  void subtasksShareOneModelAndGetTheirOwnResults() throws Exception {
    String model = "shared-" + System.nanoTime();
    var a = harness(model, 0, 2);
    var b = harness(model, 1, 2);
    a.open();
    b.open();
    a.processElement(new StreamRecord<>(request("ra", "x", "yy")));
    b.processElement(new StreamRecord<>(request("rb", "zzz")));
    List<ScoredRequest> outA = drain(a);
    List<ScoredRequest> outB = drain(b);
    a.close();
    b.close();

    assertEquals(1, OPENS.get(model).get(), "one model for both subtasks");
    assertEquals(List.of("ra"), outA.stream().map(r -> r.getRequest().getCandidateSet().getRequestId()).toList());
    assertEquals(List.of("rb"), outB.stream().map(r -> r.getRequest().getCandidateSet().getRequestId()).toList());
    assertEquals(RecordingScorer.expectedScore(Pair.of("query ra", "yy")), outA.get(0).getScores().get(1));
    assertNull(outA.get(0).getFailureCode());
    assertTrue(SCORERS.get(model).closed(), "the last subtask to close releases the model");
  }

  @Test
  void aFailingRequestComesBackAsAFailureRecordNotAnException() throws Exception {
    String model = "failing-" + System.nanoTime();
    var h = harness(model, 0, 1);
    h.open();
    h.processElement(new StreamRecord<>(request("bad", "ok", "FAIL here")));
    h.processElement(new StreamRecord<>(request("good", "fine")));
    List<ScoredRequest> out = drain(h);
    h.close();
    assertEquals(2, out.size());
    for (ScoredRequest r : out) {
      String id = r.getRequest().getCandidateSet().getRequestId();
      assertEquals(id.equals("bad") ? "SCORING_FAILED" : null, r.getFailureCode(), id);
    }
  }

  @Test
  void aRequestInFlightAtACheckpointIsScoredAfterRestore() throws Exception {
    String model = "restore-" + System.nanoTime();
    CountDownLatch gate = new CountDownLatch(1);
    GATES.put(model, gate); // the scorer blocks: the request stays in flight
    var h = harness(model, 0, 1);
    h.open();
    h.processElement(new StreamRecord<>(request("inflight", "a", "b")));
    OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
    gate.countDown();
    h.close();

    var restored = harness(model, 0, 1);
    restored.initializeState(snapshot);
    restored.open();
    List<ScoredRequest> out = drain(restored);
    restored.close();
    assertEquals(1, out.size());
    assertEquals("inflight", out.get(0).getRequest().getCandidateSet().getRequestId());
    assertNull(out.get(0).getFailureCode());
  }
}
