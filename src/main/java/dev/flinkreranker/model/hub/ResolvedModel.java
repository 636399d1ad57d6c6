package dev.flinkreranker.model.hub;

import java.nio.file.Path;

/**
 * A model ready to load from a local directory in Hugging Face layout.
 *
 * @param dir the directory with config.json, tokenizer and safetensors weights (for a hub id, the
 *     cache snapshot {@code snapshots/<commit>})
 * @param id the hub id ({@code org/name}), or the directory as given when the model was a directory
 * @param revision the requested branch, tag or commit; null for a directory
 * @param commit the commit hash of the snapshot; null for a directory
 */
public record ResolvedModel(Path dir, String id, String revision, String commit) {

  /** True when the model came from the hub cache rather than a directory the user named. */
  public boolean fromHub() {
    return commit != null;
  }
}
