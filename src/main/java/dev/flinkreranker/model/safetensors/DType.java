package dev.flinkreranker.model.safetensors;

import java.util.Locale;

/** Element types of the safetensors format; only the floating-point ones we can convert are readable. */
public enum DType {
  BF16(2),
  F16(2),
  F32(4);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return bytes;
  }

  /** Parses a header dtype string; returns null for a dtype this reader cannot convert to float. */
  static DType parseOrNull(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
