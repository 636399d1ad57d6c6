package dev.flinkreranker.model.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which files of a model repository the reranker needs, and whether a directory holds all of them.
 *
 * <p>Only the top level of the repository, and only safetensors weights: pickled {@code *.bin} /
 * {@code *.pt} are unsafe to load and {@code onnx/}, {@code *.gguf} belong to other runtimes, so
 * downloading them would only cost disk and time.
 */
public final class ModelFiles {
  public static final String CONFIG = "config.json";
  public static final String SAFETENSORS_INDEX = "model.safetensors.index.json";

  private static final Set<String> NEEDED =
      Set.of(
          CONFIG,
          SAFETENSORS_INDEX,
          "generation_config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "added_tokens.json",
          "vocab.json",
          "merges.txt");

  private ModelFiles() {}

  /** True when the reranker uses {@code file} (a path relative to the repository root). */
  public static boolean needed(String file) {
    if (file.contains("/")) {
      return false;
    }
    return NEEDED.contains(file) || file.endsWith(".safetensors");
  }

  /** The needed subset of a repository listing, in listing order. */
  public static List<String> select(List<String> repoFiles) {
    List<String> out = new ArrayList<>();
    for (String f : repoFiles) {
      if (needed(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /**
   * What a directory lacks to be loadable: {@code config.json}, and either every shard named by
   * {@code model.safetensors.index.json} or at least one {@code *.safetensors}. Empty when complete.
   * Symlinks are followed, so a snapshot whose blob is missing counts as missing.
   */
  public static List<String> missing(Path dir) {
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(dir.resolve(CONFIG))) {
      missing.add(CONFIG);
    }
    Path index = dir.resolve(SAFETENSORS_INDEX);
    if (Files.isRegularFile(index)) {
      for (String shard : shardsOf(index)) {
        if (!Files.isRegularFile(dir.resolve(shard))) {
          missing.add(shard);
        }
      }
    } else if (!hasSafetensors(dir)) {
      missing.add("*.safetensors");
    }
    return missing;
  }

  /** Shard file names listed in a safetensors index ({@code weight_map} values). */
  static Set<String> shardsOf(Path index) {
    Set<String> shards = new LinkedHashSet<>();
    try {
      JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
      for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
        shards.add(it.next().asText());
      }
    } catch (IOException e) {
      // A broken index: report the index itself as the missing piece.
      shards.add(SAFETENSORS_INDEX + " (unreadable: " + e.getMessage() + ")");
    }
    return shards;
  }

  private static boolean hasSafetensors(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.safetensors")) {
      for (Path f : files) {
        if (Files.isRegularFile(f)) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
