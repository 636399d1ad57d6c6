package dev.flinkreranker.scoring;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flinkreranker.score.Pair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads score requests as JSON lines {@code {"query": ..., "document": ..., "instruction": ...?}},
 * the input of the {@code score} command (one vLLM /score pair per line). Every non-blank line
 * produces exactly one output line; blank lines (a trailing newline too many, say) are skipped but
 * still counted in the line numbers of error messages.
 */
public final class JsonLinePairs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonLinePairs() {}

  /** A malformed input line; the message names the 1-based line number. */
  public static final class BadLineException extends IOException {
    private final int line;

    public BadLineException(int line, String problem) {
      super("line " + line + ": " + problem);
      this.line = line;
    }

    public int line() {
      return line;
    }
  }

  /**
   * Parses every line; {@code defaultInstruction} (may be null) applies to lines without an
   * instruction.
   */
  public static List<Pair> read(BufferedReader in, String defaultInstruction) throws IOException {
    List<Pair> pairs = new ArrayList<>();
    int lineNo = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (!line.isBlank()) {
        pairs.add(parse(lineNo, line, defaultInstruction));
      }
    }
    return pairs;
  }

  static Pair parse(int lineNo, String line, String defaultInstruction) throws BadLineException {
    JsonNode n;
    boolean trailing;
    try (JsonParser p = JSON.createParser(line)) {
      n = JSON.readTree(p);
      // readTree stops after the first value: a second object or garbage after it would be
      // dropped silently, so anything but the end of the line makes the line malformed.
      trailing = n != null && nextTokenOrGarbage(p);
    } catch (JsonProcessingException e) {
      throw new BadLineException(lineNo, "not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String cannot fail
    }
    if (trailing) {
      throw new BadLineException(lineNo, "text after the JSON object (one object per line)");
    }
    if (n == null || !n.isObject()) {
      throw new BadLineException(lineNo, "expected a JSON object with \"query\" and \"document\"");
    }
    String query = text(lineNo, n, "query", true);
    String document = text(lineNo, n, "document", true);
    String instruction = text(lineNo, n, "instruction", false);
    return new Pair(query, document, instruction != null ? instruction : defaultInstruction);
  }

  private static boolean nextTokenOrGarbage(JsonParser p) throws IOException {
    try {
      return p.nextToken() != null;
    } catch (JsonProcessingException e) {
      return true;
    }
  }

  private static String text(int lineNo, JsonNode n, String field, boolean required)
      throws BadLineException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new BadLineException(lineNo, "missing \"" + field + "\"");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new BadLineException(lineNo, "\"" + field + "\" must be a string");
    }
    return v.asText();
  }
}
