package dev.flinkreranker.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ point only at files that are in the repository: a newcomer's clone has
 * nothing beside it.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]+)(#[^)]*)?\\)");
  private static final Path ROOT = Path.of("").toAbsolutePath();

  private static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
    int links = 0;
    for (Path page : pages()) {
      Matcher m = LINK.matcher(Files.readString(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // a URL
        }
        links++;
        Path resolved = page.getParent().resolve(target).normalize();
        assertTrue(resolved.startsWith(ROOT), page + " points outside the repository: " + target);
        assertTrue(Files.exists(resolved), page + " points at a missing file: " + target);
      }
    }
    assertTrue(links > 5, "the README links to the docs");
  }

  @Test
  void noPageNamesAFileBesideTheRepository() throws IOException {
    for (Path page : pages()) {
      String text = Files.readString(page);
      assertFalse(text.contains("../shared"), page + " names a file outside the repository");
    }
  }
}
