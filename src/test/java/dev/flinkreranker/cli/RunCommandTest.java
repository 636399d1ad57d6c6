package dev.flinkreranker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The parallelism {@code run} sets on the job (see {@link RunCommand#parallelism}). */
class RunCommandTest {
  private static final OptionalInt CLUSTER_2 = OptionalInt.of(2);

  @Test
  void jobParallelismWins() {
    assertEquals(3, RunCommand.parallelism(3, 1, CLUSTER_2));
    assertEquals(1, RunCommand.parallelism(1, 4, CLUSTER_2));
  }

  @Test
  void restSubmissionWithoutParallelismGetsTheClustersDefault() {
    // /jars/:id/run without a parallelism hands the program parallelism.default = 1.
    assertEquals(2, RunCommand.parallelism(-1, 1, CLUSTER_2));
  }

  @Test
  void whatTheSubmissionAskedForIsKept() {
    assertEquals(4, RunCommand.parallelism(-1, 4, CLUSTER_2)); // flink run -p 4, operator's 4
    assertEquals(3, RunCommand.parallelism(-1, 3, OptionalInt.empty())); // java -jar: the cores
    assertEquals(1, RunCommand.parallelism(-1, 1, OptionalInt.empty()));
    assertEquals(1, RunCommand.parallelism(-1, 1, OptionalInt.of(1)));
  }

  @Test
  void otherValuesAreRejectedByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> RunCommand.parallelism(0, 2, CLUSTER_2));
    assertTrue(e.getMessage().contains("job.parallelism"), e.getMessage());
  }
}
