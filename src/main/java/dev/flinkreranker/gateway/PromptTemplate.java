package dev.flinkreranker.gateway;

import dev.flinkreranker.model.qwen3.Qwen3Reranker;

/**
 * Recognises inputs that a client already wrapped in the Qwen3-Reranker prompt (vLLM's own Qwen3
 * rerank example does: query = system prefix + {@code <Instruct>: ...\n<Query>: ...\n}, documents =
 * {@code <Document>: ...} + suffix) and takes the plain instruction, query and document back out,
 * so that the job wraps them exactly once and such clients get the same scores as plain ones.
 */
final class PromptTemplate {
  static final String INSTRUCT = "<Instruct>: ";
  static final String QUERY = "<Query>: ";
  static final String DOCUMENT = "<Document>: ";

  private PromptTemplate() {}

  /** A query with the instruction the template carried (null when it carried none). */
  record Query(String query, String instruction) {}

  /** The plain query (and instruction) of a query that may be template-wrapped. */
  static Query unwrapQuery(String text) {
    String s = text;
    boolean wrapped = false;
    if (s.startsWith(Qwen3Reranker.PREFIX)) {
      s = s.substring(Qwen3Reranker.PREFIX.length());
      wrapped = true;
    }
    String instruction = null;
    if (s.startsWith(INSTRUCT)) {
      int at = s.indexOf("\n" + QUERY);
      if (at >= 0) {
        instruction = s.substring(INSTRUCT.length(), at);
        s = s.substring(at + 1 + QUERY.length());
        wrapped = true;
      }
    } else if (s.startsWith(QUERY)) {
      s = s.substring(QUERY.length());
      wrapped = true;
    }
    // The template puts a newline between the query and "<Document>: ": it belongs to the prompt.
    if (wrapped && s.endsWith("\n")) {
      s = s.substring(0, s.length() - 1);
    }
    return new Query(s, instruction);
  }

  /** The plain document of a document that may be template-wrapped. */
  static String unwrapDocument(String text) {
    String s = text;
    if (s.startsWith(DOCUMENT)) {
      s = s.substring(DOCUMENT.length());
    }
    if (s.endsWith(Qwen3Reranker.SUFFIX)) {
      s = s.substring(0, s.length() - Qwen3Reranker.SUFFIX.length());
    }
    return s;
  }
}
