package dev.flinkreranker.model.hub;

import java.util.Optional;

/**
 * The outcome of {@link ModelResolver#tryResolve}: a model, or the reason there is none. Lets the
 * demo fall back to the lexical scorer with a banner instead of failing.
 */
public final class Resolution {
  private final ResolvedModel model;
  private final HubException failure;

  private Resolution(ResolvedModel model, HubException failure) {
    this.model = model;
    this.failure = failure;
  }

  static Resolution of(ResolvedModel model) {
    return new Resolution(model, null);
  }

  static Resolution failed(HubException failure) {
    return new Resolution(null, failure);
  }

  public boolean resolved() {
    return model != null;
  }

  public Optional<ResolvedModel> model() {
    return Optional.ofNullable(model);
  }

  /** Why resolution failed; empty when it succeeded. */
  public Optional<HubException.Reason> reason() {
    return failure == null ? Optional.empty() : Optional.of(failure.reason());
  }

  /** The failure, with its operator-facing message; empty when it succeeded. */
  public Optional<HubException> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return model != null ? "resolved " + model : "failed " + failure;
  }
}
