package dev.flinkreranker.scoring;

import dev.flinkreranker.model.hub.ModelResolver;

import java.io.Serializable;

/**
 * What scorer to open: the key of the per-JVM {@code ScoringService} registry (one model per
 * (model, device, dtype, max length) per TaskManager).
 *
 * @param model a model directory in Hugging Face layout, a hub id ({@code org/name[@rev]}), or
 *     {@code lexical}
 * @param device {@code auto | cpu | gpu | gpu:N}
 * @param dtype {@code auto | fp32 | fp16}
 * @param maxLength maximum model input length in tokens (prompt included)
 */
public record ScorerSpec(String model, String device, String dtype, int maxLength)
    implements Serializable {

  public static final String LEXICAL = ModelResolver.LEXICAL;
  public static final int DEFAULT_MAX_LENGTH = 8192;

  public static ScorerSpec lexical() {
    return new ScorerSpec(LEXICAL, "cpu", "fp32", DEFAULT_MAX_LENGTH);
  }

  public boolean isLexical() {
    return ModelResolver.isLexical(model);
  }
}
