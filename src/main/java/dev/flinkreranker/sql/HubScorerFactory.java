package dev.flinkreranker.sql;

import dev.flinkreranker.model.hub.HubOptions;
import dev.flinkreranker.model.hub.ModelResolver;
import dev.flinkreranker.score.Scorer;
import dev.flinkreranker.scoring.ScorerSpec;
import dev.flinkreranker.scoring.ScoringService;
import dev.flinkreranker.scoring.Scorers;

/**
 * Opens a model the way the job does, with the model's {@code hub.offline} / {@code hub.token}
 * options, where set, taking precedence over the TaskManager's environment.
 *
 * @param offline null: the environment decides
 * @param token null: the environment decides
 */
record HubScorerFactory(Boolean offline, String token) implements ScoringService.ScorerFactory {

  @Override
  public Scorer open(ScorerSpec spec) {
    HubOptions env = HubOptions.fromEnvironment();
    HubOptions options = new HubOptions(env.endpoint(), token != null ? token : env.token(),
        offline != null ? offline : env.offline(), env.cacheDir(), env.progress(),
        env.readTimeout());
    return Scorers.open(spec, new ModelResolver(options));
  }

  @Override
  public String toString() {
    // Never print the token (plans and logs show the function's fields).
    return "HubScorerFactory[offline=" + offline + ", token=" + (token == null ? "unset" : "set")
        + "]";
  }
}
