package dev.flinkreranker.validation;

/** Checks on text that arrives from outside, by code point rather than by Java char. */
public final class Text {
  private Text() {}

  /**
   * True when {@code s} has no visible character: empty, or only whitespace (ASCII and Unicode
   * spaces such as NBSP and U+3000), control characters and invisible format characters (zero-width
   * space and joiners, word joiner, byte-order mark). {@link String#isBlank()} misses NBSP and the
   * zero-width characters, so a query made of them would be scored as if it said something.
   */
  public static boolean isBlank(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!invisible(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  private static boolean invisible(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    // Cf: U+200B..U+200F, U+2060..U+2064, U+FEFF, soft hyphen, ...; U+180E is Cf since Unicode 6.3.
    return type == Character.FORMAT || cp == 0x2800 /* braille blank */ || cp == 0x3164
        || cp == 0xFFA0 /* Hangul fillers */;
  }

  /**
   * Index of the first unpaired surrogate in {@code s}, or -1. JSON can carry one as an escape
   * (a {@code \\ud800} escape); it has no UTF-8 encoding, so every writer downstream would fail or
   * silently replace it.
   */
  public static int firstLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return i;
      }
      if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The first {@code maxChars} chars of {@code s} (all of it when shorter), never ending inside a
   * surrogate pair.
   */
  public static String cut(String s, int maxChars) {
    if (s.length() <= maxChars) {
      return s;
    }
    int end = Math.max(0, maxChars);
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  /**
   * {@code s} with every unpaired surrogate replaced by U+FFFD, for text we write about input that
   * was rejected (a dead letter's request id or reason): JSON writers fail on unpaired surrogates.
   */
  public static String scrub(String s) {
    if (firstLoneSurrogate(s) < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return out.toString();
  }
}
