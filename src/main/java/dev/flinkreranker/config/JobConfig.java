package dev.flinkreranker.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Loads a job profile ({@code job/*.yaml}) and {@code --set key=value} overrides into a Flink
 * {@link Configuration}. Keys may be flat ({@code batch.max-pairs: 32}) or nested YAML maps; YAML
 * lists become Flink's semicolon-separated lists. Unknown keys are an error (with the closest known
 * key), since a typo would otherwise silently run with a default. Values are parsed eagerly so that
 * a bad value fails at start-up, not in a TaskManager.
 */
public final class JobConfig {
  private JobConfig() {}

  // A key set twice in one profile is an error: which one wins would be a silent surprise.
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']*)'");

  public static Configuration load(Path profile, List<String> overrides) {
    Map<String, String> values = new LinkedHashMap<>();
    if (profile != null) {
      values.putAll(readYaml(profile));
    }
    for (String o : overrides) {
      int eq = o.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + o + "'");
      }
      values.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
    }
    return fromMap(values);
  }

  /** Validates keys and values and builds the configuration. */
  public static Configuration fromMap(Map<String, String> values) {
    Map<String, ConfigOption<?>> known = RerankOptions.all().stream()
        .collect(Collectors.toMap(ConfigOption::key, o -> o));
    for (String key : values.keySet()) {
      if (!known.containsKey(key) && !key.startsWith(RerankOptions.KAFKA_PROPERTIES_PREFIX)) {
        throw new IllegalArgumentException("unknown configuration key '" + key + "'"
            + closest(key, known.keySet()) + "; see README 'Configuration'");
      }
    }
    Configuration conf = Configuration.fromMap(values);
    for (ConfigOption<?> option : known.values()) {
      try {
        conf.getOptional(option);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad value for '" + option.key() + "': "
            + values.get(option.key()) + " (" + e.getMessage() + ")", e);
      }
    }
    OptionRanges.check(conf);
    return conf;
  }

  static Map<String, String> readYaml(Path file) {
    try {
      JsonNode root = YAML.readTree(Files.readString(file));
      Map<String, String> flat = new LinkedHashMap<>();
      if (root != null && !root.isNull() && !root.isMissingNode()) {
        if (!root.isObject()) {
          throw new IllegalArgumentException(file + ": a job profile must be a YAML map");
        }
        flatten(file, "", root, flat);
      }
      return flat;
    } catch (JsonProcessingException e) {
      Matcher dup = DUPLICATE.matcher(e.getOriginalMessage());
      if (dup.find()) {
        throw new IllegalArgumentException(file + " line " + e.getLocation().getLineNr()
            + ": key '" + dup.group(1) + "' is set twice; keep one of them");
      }
      throw new IllegalArgumentException(file + ": not a valid YAML job profile: "
          + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")", e);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("job profile " + file + " does not exist (give its path"
          + " with --config)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read job profile " + file + ": " + e.getMessage(), e);
    }
  }

  private static void flatten(Path file, String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flatten(file, prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
      return;
    }
    // Nested and dotted forms of one key (ranking: {top-k: 5} and ranking.top-k: 3) collide here.
    if (out.containsKey(prefix)) {
      throw new IllegalArgumentException(file + ": key '" + prefix + "' is set twice; keep one"
          + " of them");
    }
    if (node.isArray()) {
      StringBuilder list = new StringBuilder();
      for (JsonNode item : node) {
        list.append(list.length() == 0 ? "" : ";").append(item.asText());
      }
      out.put(prefix, list.toString());
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }

  private static String closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : new TreeSet<>(known)) {
      int d = distance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(3, key.length() / 3)
        ? " (did you mean '" + best + "'?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
