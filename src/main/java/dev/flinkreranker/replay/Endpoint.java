package dev.flinkreranker.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * A replay input or output as written on the command line: {@code kafka:TOPIC}, or paths (an input
 * may list several, separated by ';': files, directories, globs; an output is one directory).
 */
public record Endpoint(String topic, List<String> paths) {
  public static final String KAFKA_PREFIX = "kafka:";

  public static Endpoint parse(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " is required: kafka:TOPIC or a path");
    }
    String v = value.trim();
    if (v.startsWith(KAFKA_PREFIX)) {
      String topic = v.substring(KAFKA_PREFIX.length()).trim();
      if (topic.isEmpty()) {
        throw new IllegalArgumentException(what + " 'kafka:' needs a topic name: kafka:TOPIC");
      }
      return new Endpoint(topic, List.of());
    }
    List<String> paths = new ArrayList<>();
    for (String p : v.split(";")) {
      if (!p.isBlank()) {
        paths.add(p.trim());
      }
    }
    return new Endpoint(null, paths);
  }

  public boolean isKafka() {
    return topic != null;
  }

  @Override
  public String toString() {
    return isKafka() ? KAFKA_PREFIX + topic : String.join(";", paths);
  }
}
