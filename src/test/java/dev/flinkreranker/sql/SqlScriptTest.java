package dev.flinkreranker.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsAtSemicolonsOutsideQuotesAndComments() {
    String script = "-- a comment; not a statement end\n"
        + "CREATE MODEL m WITH ('instruction' = 'a;b', 'x' = 'it''s; fine');\n"
        + "/* block; comment */ SELECT `a;b` FROM t;\n"
        + "  ;\n"
        + "SELECT 1";
    assertEquals(List.of(
        "CREATE MODEL m WITH ('instruction' = 'a;b', 'x' = 'it''s; fine')",
        "SELECT `a;b` FROM t",
        "SELECT 1"), SqlScript.split(script));
  }

  @Test
  void fillsPlaceholdersAndNamesMissingOnes() {
    assertEquals("'m' = 'Qwen/x', 'd' = 'cpu'",
        SqlScript.substitute("'m' = '${MODEL}', 'd' = '${DEVICE:-cpu}'",
            Map.of("MODEL", "Qwen/x")));
    assertEquals("lexical", SqlScript.substitute("${MODEL:-lexical}", Map.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SqlScript.substitute("'${MODEL}'", Map.of()));
    assertEquals("${MODEL} has no value; pass --set MODEL=VALUE", e.getMessage());
  }
}
