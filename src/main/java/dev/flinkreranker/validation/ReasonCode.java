package dev.flinkreranker.validation;

/** Why a record became a dead letter; written as {@code DeadLetter.reason_code}. */
public enum ReasonCode {
  /** Tombstone or empty value. */
  EMPTY_RECORD,
  /** Value larger than {@code input.max-record-bytes}. */
  RECORD_TOO_LARGE,
  /** Not a binary-encoded CandidateSet. */
  UNDECODABLE_AVRO,
  /** Not a JSON object. */
  MALFORMED_JSON,
  /** A string is not valid UTF-8. */
  INVALID_UTF8,
  /** A required field is absent. */
  MISSING_FIELD,
  /** A field that may not be null is null. */
  NULL_FIELD,
  /** A field has the wrong type or an impossible value (e.g. unparsable event_time, top_k &lt; 1). */
  INVALID_FIELD,
  /**
   * {@code event_time} outside what the job accepts: before 1970-01-01, past what epoch
   * milliseconds can hold, or more than {@code input.max-event-time-ahead} in the future.
   */
  INVALID_EVENT_TIME,
  /** Query absent, empty, or only whitespace and invisible characters. */
  MISSING_QUERY,
  /** Empty candidate list. */
  NO_CANDIDATES,
  /** More candidates than {@code input.max-candidates}. */
  TOO_MANY_CANDIDATES,
  /** Two candidates share an id and {@code input.duplicate-ids} is {@code reject}. */
  DUPLICATE_CANDIDATE_ID,
  /** The scorer failed on this request even after splitting its batch down to single pairs. */
  SCORING_FAILED,
  /**
   * The result would be larger than {@code output.max-record-bytes} even with candidate texts cut
   * (e.g. a huge query or attributes); written as a dead letter so the sink never fails on it.
   */
  RESULT_TOO_LARGE,
  /** Scoring did not finish within {@code async.timeout}, retries included. */
  TIMEOUT
}
