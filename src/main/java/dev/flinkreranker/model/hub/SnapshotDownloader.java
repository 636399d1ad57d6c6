package dev.flinkreranker.model.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Brings {@code snapshots/<commit>/} up to date with the files the reranker needs, downloading only
 * what is missing, and records the revision's commit in {@code refs/} once the snapshot is complete.
 */
final class SnapshotDownloader {
  private static final Logger LOG = LogManager.getLogger(SnapshotDownloader.class);

  private final HubClient client;
  private final HubCache cache;
  private final BlobFetcher blobs;

  SnapshotDownloader(HubClient client, HubCache cache, HubOptions options) {
    this.client = client;
    this.cache = cache;
    this.blobs = new BlobFetcher(client, cache, options.progress(), options.readTimeout());
  }

  /** Downloads what is missing and returns the complete snapshot directory. */
  ResolvedModel download(ModelId id) {
    HubClient.RepoListing listing = client.listFiles(id);
    String commit = listing.commit();
    List<String> wanted = ModelFiles.select(listing.files());
    if (!wanted.contains(ModelFiles.CONFIG) || wanted.stream().noneMatch(f -> f.endsWith(".safetensors"))) {
      throw new HubException(
          HubException.Reason.FILE_NOT_FOUND,
          id
              + " at commit "
              + commit
              + " has no config.json with safetensors weights (files: "
              + listing.files()
              + "). Only safetensors checkpoints in Hugging Face layout can be loaded.");
    }
    Path snapshot = cache.snapshotDir(id, commit);
    List<String> missing = new ArrayList<>();
    for (String file : wanted) {
      if (!Files.isRegularFile(snapshot.resolve(file))) {
        missing.add(file);
      }
    }
    if (!missing.isEmpty()) {
      LOG.info("{}: fetching {} of {} files of commit {} into {}", id, missing.size(), wanted.size(), commit, cache.root());
    }
    try {
      for (String file : missing) {
        HubClient.FileMetadata meta = client.head(id, commit, file);
        blobs.fetch(id, file, meta);
        cache.link(id, commit, file, meta.etag());
      }
      cache.writeRef(id, commit);
    } catch (IOException e) {
      throw HubException.fromLocalIo("cannot write the snapshot of " + id + " in " + snapshot, e);
    }
    return new ResolvedModel(snapshot, id.repo(), id.revision(), commit);
  }
}
