package dev.flinkreranker.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console's static files, shipped in the jar. Only the files listed here are served: a
 * request path is a key of this map, never a path to resolve.
 */
final class Console {
  record Asset(String contentType, byte[] bytes) {}

  private static final Map<String, String[]> FILES = Map.of(
      "/", new String[] {"index.html", "text/html; charset=utf-8"},
      "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
      "/console.js", new String[] {"console.js", "text/javascript; charset=utf-8"},
      "/console.css", new String[] {"console.css", "text/css; charset=utf-8"});

  private final Map<String, Asset> assets;

  Console() {
    java.util.HashMap<String, Asset> loaded = new java.util.HashMap<>();
    FILES.forEach((path, f) -> loaded.put(path, new Asset(f[1], read(f[0]))));
    assets = Map.copyOf(loaded);
  }

  /** The file served at {@code path}, or null. */
  Asset asset(String path) {
    return assets.get(path);
  }

  private static byte[] read(String name) {
    try (InputStream in = Console.class.getResourceAsStream("/gateway/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("gateway/console/" + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
