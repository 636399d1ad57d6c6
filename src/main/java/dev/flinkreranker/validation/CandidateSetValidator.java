package dev.flinkreranker.validation;

import dev.flinkreranker.avro.Candidate;
import dev.flinkreranker.avro.CandidateSet;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

  private final int maxCandidates;
  private final DuplicatePolicy duplicatePolicy;

  public CandidateSetValidator(int maxCandidates, DuplicatePolicy duplicatePolicy) {
    if (maxCandidates < 1) {
      throw new IllegalArgumentException("input.max-candidates must be >= 1");
    }
    this.maxCandidates = maxCandidates;
    this.duplicatePolicy = duplicatePolicy;
  }

  /**
   * Validates {@code set} in place; returns the number of duplicate candidates dropped (always 0
   * under {@link DuplicatePolicy#REJECT}).
   */
  public int validate(CandidateSet set) throws RejectedRecordException {
    String id = set.getRequestId();
    if (id == null || id.isBlank()) {
      throw new RejectedRecordException(ReasonCode.MISSING_FIELD, "request_id is empty");
    }
    if (set.getQuery() == null || set.getQuery().isBlank()) {
      throw new RejectedRecordException(ReasonCode.MISSING_QUERY, "query is missing or empty", id);
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
      if (c.getId() == null || c.getId().isEmpty()) {
        throw new RejectedRecordException(ReasonCode.MISSING_FIELD,
            "candidates[" + i + "].id is empty", id);
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
}
