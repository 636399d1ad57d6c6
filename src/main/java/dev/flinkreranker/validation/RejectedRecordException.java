package dev.flinkreranker.validation;

/** A record that cannot be ranked; carries the dead-letter reason. */
public final class RejectedRecordException extends Exception {
  private final ReasonCode code;
  private final String requestId;

  public RejectedRecordException(ReasonCode code, String message) {
    this(code, message, null);
  }

  public RejectedRecordException(ReasonCode code, String message, String requestId) {
    super(message, null, false, false);
    this.code = code;
    this.requestId = requestId;
  }

  public ReasonCode code() {
    return code;
  }

  /** The request id when it could be read, else null. */
  public String requestId() {
    return requestId;
  }

  public RejectedRecordException withRequestId(String id) {
    return requestId != null || id == null ? this : new RejectedRecordException(code, getMessage(), id);
  }
}
