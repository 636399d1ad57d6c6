package dev.flinkreranker.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory: either one {@code model.safetensors} or shards
 * listed by {@code model.safetensors.index.json} ({@code weight_map: name → shard file}).
 */
public final class SafetensorsCheckpoint {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private final Path dir;
  /** Tensor name → the file that holds it. */
  private final Map<String, SafetensorsFile> byName;
  private final Path describedBy;

  private SafetensorsCheckpoint(Path dir, Map<String, SafetensorsFile> byName, Path describedBy) {
    this.dir = dir;
    this.byName = byName;
    this.describedBy = describedBy;
  }

  /** Opens the checkpoint of a model directory, preferring the sharded index when present. */
  public static SafetensorsCheckpoint open(Path dir) throws IOException {
    Path index = dir.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      return openIndex(dir, index);
    }
    Path single = dir.resolve(SINGLE_FILE);
    if (Files.isRegularFile(single)) {
      SafetensorsFile f = SafetensorsFile.open(single);
      Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
      for (String n : f.names()) {
        byName.put(n, f);
      }
      return new SafetensorsCheckpoint(dir, byName, single);
    }
    throw new SafetensorsException(
        dir, null, "no " + SINGLE_FILE + " and no " + INDEX_FILE + " in the model directory");
  }

  private static SafetensorsCheckpoint openIndex(Path dir, Path index) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(index.toFile());
    } catch (JsonProcessingException e) {
      throw new SafetensorsException(index, null, "bad index JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new SafetensorsException(index, null, "bad index JSON: no weight_map object");
    }
    Map<String, SafetensorsFile> shards = new HashMap<>();
    Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String shardName = e.getValue().asText();
      Path shardPath = dir.resolve(shardName).normalize();
      if (!shardPath.startsWith(dir.normalize())) {
        throw new SafetensorsException(index, e.getKey(), "shard path escapes the directory: " + shardName);
      }
      SafetensorsFile shard = shards.get(shardName);
      if (shard == null) {
        shard = SafetensorsFile.open(shardPath);
        shards.put(shardName, shard);
      }
      if (!shard.contains(e.getKey())) {
        throw new SafetensorsException(
            shardPath, e.getKey(), "missing tensor (listed in " + INDEX_FILE + ")");
      }
      byName.put(e.getKey(), shard);
    }
    return new SafetensorsCheckpoint(dir, byName, index);
  }

  public Path directory() {
    return dir;
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(byName.keySet());
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** The tensor {@code name}; a missing one is reported against the index or single file. */
  public SafeTensor tensor(String name) throws SafetensorsException {
    SafetensorsFile f = byName.get(name);
    if (f == null) {
      throw new SafetensorsException(describedBy, name, "missing tensor");
    }
    return f.tensor(name);
  }

  /** The tensor {@code name}, which must have exactly {@code shape}. */
  public SafeTensor tensor(String name, long... shape) throws SafetensorsException {
    return tensor(name).requireShape(shape);
  }
}
