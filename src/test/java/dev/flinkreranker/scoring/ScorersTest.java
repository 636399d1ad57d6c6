package dev.flinkreranker.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkreranker.model.hub.HubException;
import org.junit.jupiter.api.Test;

class ScorersTest {

  @Test
  void lexicalNeedsNoModel() {
    assertInstanceOf(LexicalScorer.class, Scorers.open(ScorerSpec.lexical()));
  }

  @Test
  void modelStringsGoThroughTheResolver() {
    // Neither a directory nor org/name: rejected by the resolver before any file or network access.
    HubException e =
        assertThrows(
            HubException.class,
            () -> Scorers.open(new ScorerSpec("no such model", "cpu", "fp32", ScorerSpec.DEFAULT_MAX_LENGTH)));
    assertEquals(HubException.Reason.INVALID_MODEL, e.reason());
  }
}
