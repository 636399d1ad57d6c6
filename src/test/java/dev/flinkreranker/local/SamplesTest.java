package dev.flinkreranker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flinkreranker.kafka.CandidateSetCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SamplesTest {
  @Test
  void theIndexListsEverySampleFileAndTheJarCopyMatches() throws Exception {
    List<String> files;
    try (Stream<Path> s = Files.list(Path.of("job/samples"))) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl")).sorted().toList();
    }
    List<String> index = Files.readAllLines(Path.of("job/samples/index.txt")).stream()
        .filter(l -> !l.isBlank()).map(String::trim).sorted().toList();
    assertEquals(files, index);
    // Loading from the classpath (as the jar does) gives the same lines as the directory.
    assertEquals(Samples.load(Path.of("job/samples")), Samples.load(null));
  }

  @Test
  void everySampleDecodesAndEncodesAsAvro() {
    for (String line : Samples.load(Path.of("job/samples"))) {
      // Avro encoding goes through the JSON decoder: a broken sample would stay JSON.
      byte[] avro = LocalDemo.encode(line, CandidateSetCodec.Format.AVRO);
      if (!line.contains("no candidates")) {
        assertEquals(false, java.util.Arrays.equals(avro, line.getBytes()), line);
      }
    }
  }
}
