package dev.flinkreranker.scoring;

import dev.flinkreranker.validation.ReasonCode;

/** A request that the scoring service could not score; the reason becomes its dead letter. */
public final class ScoringException extends RuntimeException {
  private final ReasonCode code;

  public ScoringException(ReasonCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ReasonCode code() {
    return code;
  }
}
