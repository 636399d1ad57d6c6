package dev.flinkreranker.replay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Counts read as English: "1 dead letter", "0 dead letters". */
class ProgressLineTest {
  @Test
  void oneDeadLetterIsSingular() {
    String one = Progress.line(500, 1000, 1, 5.0);
    assertTrue(one.endsWith("  1 dead letter"), one);
    String none = Progress.line(500, 1000, 0, 5.0);
    assertTrue(none.endsWith("  0 dead letters"), none);
  }
}
