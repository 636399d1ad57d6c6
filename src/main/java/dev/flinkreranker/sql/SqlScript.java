package dev.flinkreranker.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file of SQL statements as the {@code sql} command runs it: {@code ${NAME}} placeholders filled
 * in, then split at the semicolons that end statements (not those in quotes or comments).
 */
public final class SqlScript {
  private SqlScript() {}

  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(?::-([^}]*))?}");

  /**
   * Replaces every {@code ${NAME}} or {@code ${NAME:-default}}; a name without a value or default
   * is an error that names it.
   */
  public static String substitute(String script, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(script);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.getOrDefault(m.group(1), m.group(2));
      if (value == null) {
        throw new IllegalArgumentException("${" + m.group(1) + "} has no value; pass --set "
            + m.group(1) + "=VALUE");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The statements of a script, without their terminating semicolons; blank ones dropped. */
  public static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        // A quoted string or identifier; a doubled quote is an escaped one.
        int end = i + 1;
        while (end < n) {
          if (script.charAt(end) == c) {
            if (end + 1 < n && script.charAt(end + 1) == c) {
              end += 2;
              continue;
            }
            break;
          }
          end++;
        }
        current.append(script, i, Math.min(end + 1, n));
        i = end + 1;
      } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        i = end < 0 ? n : end;
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        current.append(' ');
      } else if (c == ';') {
        add(statements, current);
        i++;
      } else {
        current.append(c);
        i++;
      }
    }
    add(statements, current);
    return statements;
  }

  private static void add(List<String> statements, StringBuilder statement) {
    String s = statement.toString().strip();
    if (!s.isEmpty()) {
      statements.add(s);
    }
    statement.setLength(0);
  }
}
