package dev.flinkreranker.validation;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Semantic checks of a decoded {@link CandidateSet}, after the codec has checked structure.
 *
 * <p>Duplicate candidate ids: results name candidates by id, so two candidates with one id would
 * make a ranking ambiguous. The default policy {@link DuplicatePolicy#REJECT} dead-letters the
 * request (the producer has a bug worth seeing); {@link DuplicatePolicy#KEEP_FIRST} keeps the first
 * occurrence, drops the others before scoring, and reports how many were dropped.
 */
public final class CandidateSetValidator implements Serializable {

  /** What to do with repeated candidate ids within one request. */
  public enum DuplicatePolicy {
    REJECT,
    KEEP_FIRST;

    public static DuplicatePolicy parse(String value) {
      return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "reject" -> REJECT;
        case "keep-first" -> KEEP_FIRST;
        default -> throw new IllegalArgumentException(
            "input.duplicate-ids must be reject or keep-first, got '" + value + "'");
      };
    }
  }

  /** Longest request id accepted: it keys every output record and names the request in logs. */
  public static final int MAX_REQUEST_ID_CHARS = 512;

  /** The last millisecond an ISO-8601 year of four digits can name: 9999-12-31T23:59:59.999Z. */
  static final Instant LATEST_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

  private final int maxCandidates;
  private final DuplicatePolicy duplicatePolicy;
  private final long maxEventTimeAheadMillis;

  public CandidateSetValidator(int maxCandidates, DuplicatePolicy duplicatePolicy) {
    this(maxCandidates, duplicatePolicy, Duration.ofHours(1));
  }

  /**
   * @param maxEventTimeAhead how far in the future of the validating clock an event_time may be
   *     ({@code input.max-event-time-ahead})
   */
  public CandidateSetValidator(int maxCandidates, DuplicatePolicy duplicatePolicy,
      Duration maxEventTimeAhead) {
    if (maxCandidates < 1) {
      throw new IllegalArgumentException("input.max-candidates must be >= 1, got " + maxCandidates);
    }
    if (maxEventTimeAhead.isNegative()) {
      throw new IllegalArgumentException(
          "input.max-event-time-ahead must not be negative, got " + maxEventTimeAhead);
    }
    this.maxCandidates = maxCandidates;
    this.duplicatePolicy = duplicatePolicy;
    this.maxEventTimeAheadMillis = maxEventTimeAhead.toMillis();
  }

  /** {@link #validate(CandidateSet, long)} against the system clock. */
  public int validate(CandidateSet set) throws RejectedRecordException {
    return validate(set, System.currentTimeMillis());
  }

  /**
   * Validates {@code set} in place; returns the number of duplicate candidates dropped (always 0
   * under {@link DuplicatePolicy#REJECT}).
   *
   * @param nowMillis the clock that {@code input.max-event-time-ahead} is measured against
   */
  public int validate(CandidateSet set, long nowMillis) throws RejectedRecordException {
    String id = set.getRequestId();
    if (id == null || id.isBlank()) {
      throw new RejectedRecordException(ReasonCode.MISSING_FIELD, "request_id is empty");
    }
    if (Text.firstLoneSurrogate(id) >= 0) {
      throw new RejectedRecordException(ReasonCode.INVALID_UTF8,
          "request_id holds an unpaired UTF-16 surrogate, which has no UTF-8 encoding");
    }
    if (id.length() > MAX_REQUEST_ID_CHARS) {
      throw new RejectedRecordException(ReasonCode.INVALID_FIELD, "request_id has "
          + id.length() + " characters, more than " + MAX_REQUEST_ID_CHARS);
    }
    checkText(set.getQuery(), "query", id);
    if (set.getQuery() == null || Text.isBlank(set.getQuery())) {
      throw new RejectedRecordException(ReasonCode.MISSING_QUERY,
          "query is missing, empty or only whitespace/invisible characters", id);
    }
    checkText(set.getInstruction(), "instruction", id);
    checkEventTime(set.getEventTime(), nowMillis, id);
    for (Map.Entry<String, String> e : set.getAttributes().entrySet()) {
      checkText(e.getKey(), "an attributes key", id);
      checkText(e.getValue(), "attributes." + e.getKey(), id);
    }
    List<Candidate> candidates = set.getCandidates();
    if (candidates == null || candidates.isEmpty()) {
      throw new RejectedRecordException(ReasonCode.NO_CANDIDATES, "candidates is empty", id);
    }
    if (candidates.size() > maxCandidates) {
      throw new RejectedRecordException(ReasonCode.TOO_MANY_CANDIDATES,
          candidates.size() + " candidates, more than input.max-candidates=" + maxCandidates, id);
    }
    if (set.getTopK() != null && set.getTopK() < 1) {
      throw new RejectedRecordException(ReasonCode.INVALID_FIELD,
          "top_k must be >= 1, got " + set.getTopK(), id);
    }
    Set<String> seen = new HashSet<>();
    List<Candidate> kept = new ArrayList<>(candidates.size());
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      String where = "candidates[" + i + "]";
      if (c.getId() == null || c.getId().isEmpty()) {
        throw new RejectedRecordException(ReasonCode.MISSING_FIELD, where + ".id is empty", id);
      }
      checkText(c.getId(), where + ".id", id);
      checkText(c.getText(), where + ".text", id);
      checkText(c.getSource(), where + ".source", id);
      Double score = c.getRetrievalScore();
      if (score != null && !Double.isFinite(score)) {
        // JSON 1e400 parses to Infinity; written back out it is not JSON any more.
        throw new RejectedRecordException(ReasonCode.INVALID_FIELD,
            where + ".retrieval_score must be a finite number, got " + score, id);
      }
      if (seen.add(c.getId())) {
        kept.add(c);
      } else if (duplicatePolicy == DuplicatePolicy.REJECT) {
        throw new RejectedRecordException(ReasonCode.DUPLICATE_CANDIDATE_ID,
            "candidate id '" + c.getId() + "' appears more than once (candidates[" + i + "])", id);
      }
    }
    int dropped = candidates.size() - kept.size();
    if (dropped > 0) {
      set.setCandidates(kept);
    }
    return dropped;
  }

  private static void checkText(String value, String field, String id)
      throws RejectedRecordException {
    if (value != null && Text.firstLoneSurrogate(value) >= 0) {
      throw new RejectedRecordException(ReasonCode.INVALID_UTF8, field
          + " holds an unpaired UTF-16 surrogate (e.g. \\ud800), which has no UTF-8 encoding", id);
    }
  }

  /**
   * Event time is data (results are stamped with the time they are written), but it drives the
   * watermarks and is written as timestamp-millis: it must be representable and not run ahead.
   */
  private void checkEventTime(Instant t, long nowMillis, String id) throws RejectedRecordException {
    if (t == null) {
      throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME, "event_time is missing", id);
    }
    if (t.isBefore(Instant.EPOCH) || t.isAfter(LATEST_EVENT_TIME)) {
      throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME, "event_time " + t
          + " is outside 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z", id);
    }
    long ahead = t.toEpochMilli() - nowMillis;
    if (ahead > maxEventTimeAheadMillis) {
      throw new RejectedRecordException(ReasonCode.INVALID_EVENT_TIME, "event_time " + t
          + " is " + Duration.ofMillis(ahead) + " in the future, more than"
          + " input.max-event-time-ahead=" + Duration.ofMillis(maxEventTimeAheadMillis), id);
    }
  }
}
