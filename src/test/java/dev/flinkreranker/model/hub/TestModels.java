package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Small model repositories for the hub tests, and a cache written the way the Python tools write it. */
public final class TestModels {
  public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  public static final String OTHER_COMMIT = "fedcba9876543210fedcba9876543210fedcba98";

  private TestModels() {}

  /** A single-file checkpoint plus files the reranker must not download. */
  public static Map<String, byte[]> singleFile(long seed) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(".gitattributes", utf8("*.safetensors filter=lfs diff=lfs merge=lfs -text\n"));
    files.put("README.md", utf8("# tiny test model\n"));
    files.put("config.json", utf8("{\"architectures\":[\"Qwen3ForCausalLM\"],\"hidden_size\":8,\"seed\":" + seed + "}"));
    files.put("tokenizer.json", utf8("{\"model\":{\"type\":\"BPE\"},\"seed\":" + seed + "}"));
    files.put("tokenizer_config.json", utf8("{\"model_max_length\":32768}"));
    files.put("model.safetensors", random(300_000, seed));
    files.put("pytorch_model.bin", random(50_000, seed + 1));
    files.put("onnx/model.onnx", random(20_000, seed + 2));
    return files;
  }

  /** A checkpoint in two shards with an index. */
  public static Map<String, byte[]> sharded(long seed) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("config.json", utf8("{\"architectures\":[\"Qwen3ForCausalLM\"],\"seed\":" + seed + "}"));
    files.put("tokenizer.json", utf8("{\"seed\":" + seed + "}"));
    files.put(
        "model.safetensors.index.json",
        utf8(
            "{\"metadata\":{},\"weight_map\":{\"a.weight\":\"model-00001-of-00002.safetensors\","
                + "\"b.weight\":\"model-00002-of-00002.safetensors\"}}"));
    files.put("model-00001-of-00002.safetensors", random(120_000, seed));
    files.put("model-00002-of-00002.safetensors", random(90_000, seed + 1));
    return files;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code files} into {@code cacheDir} exactly as huggingface_hub does: blobs named by etag,
   * snapshot entries as relative symlinks {@code ../../blobs/<etag>}, {@code refs/main}.
   */
  public static Path writePythonCache(Path cacheDir, String repo, String commit, Map<String, byte[]> files)
      throws IOException {
    Path repoDir = cacheDir.resolve("models--" + repo.replace("/", "--"));
    Path snapshot = repoDir.resolve("snapshots").resolve(commit);
    Files.createDirectories(repoDir.resolve("blobs"));
    Files.createDirectories(repoDir.resolve("refs"));
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      String etag = FakeHub.etagOf(f.getKey(), f.getValue());
      Files.write(repoDir.resolve("blobs").resolve(etag), f.getValue());
      Path link = snapshot.resolve(f.getKey());
      Files.createDirectories(link.getParent());
      Files.createSymbolicLink(link, link.getParent().relativize(repoDir.resolve("blobs").resolve(etag)));
    }
    Files.writeString(repoDir.resolve("refs").resolve("main"), commit);
    return snapshot;
  }
}
