package dev.flinkreranker.replay;

import java.util.HashMap;
import java.util.Map;

/**
 * Relevance labels carried in a CandidateSet's {@code attributes}, for offline evaluation:
 *
 * <ul>
 *   <li>{@code label:<candidate id>} = a graded relevance (a non-negative number; 0 = not
 *       relevant), e.g. {@code "label:doc-7": "2"};
 *   <li>{@code relevant} = comma-separated ids of relevant candidates (grade 1), e.g.
 *       {@code "relevant": "doc-7,doc-9"}; a {@code label:} entry for the same id wins.
 * </ul>
 *
 * Candidates without a label have grade 0. Attributes pass through to results unchanged, so the
 * labels also travel with the reranked output.
 */
public final class Labels {
  private Labels() {}

  public static final String GRADE_PREFIX = "label:";
  public static final String RELEVANT = "relevant";

  /**
   * Grades by candidate id, or an empty map when the request carries no label at all. A value
   * that is not a non-negative number makes the whole request's labels unusable (an exception),
   * so that a typo is not silently scored as "not relevant".
   */
  public static Map<String, Double> grades(Map<String, String> attributes) {
    Map<String, Double> grades = new HashMap<>();
    String relevant = attributes.get(RELEVANT);
    if (relevant != null) {
      for (String id : relevant.split(",")) {
        if (!id.isBlank()) {
          grades.put(id.strip(), 1.0);
        }
      }
    }
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      if (e.getKey().startsWith(GRADE_PREFIX)) {
        String id = e.getKey().substring(GRADE_PREFIX.length());
        double g;
        try {
          g = Double.parseDouble(e.getValue().strip());
        } catch (NumberFormatException ex) {
          throw new IllegalArgumentException(
              "attribute " + e.getKey() + " is not a number: '" + e.getValue() + "'");
        }
        if (!(g >= 0) || Double.isInfinite(g)) {
          throw new IllegalArgumentException(
              "attribute " + e.getKey() + " must be a non-negative grade, got " + e.getValue());
        }
        grades.put(id, g);
      }
    }
    return grades;
  }
}
