package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The escapes, written out by hand. */
class TerminalTextTest {
  @Test
  void everyCharacterATerminalActsOnBecomesVisible() {
    assertEquals("a\\x1b[2Jb", TerminalText.escape("a\u001b[2Jb"));
    assertEquals("\\r\\n\\t\\0\\x07\\x7f", TerminalText.escape("\r\n\t\0\u0007\u007f"));
    assertEquals("\\u0085\\u009b", TerminalText.escape("\u0085\u009b"));
    assertEquals("\\u202eexe.txt\\u2066\\u200f\\u061c", TerminalText.escape("\u202eexe.txt\u2066\u200f\u061c"));
    assertEquals("\\u2028\\u2029\\ufeff\\u200b", TerminalText.escape("\u2028\u2029\ufeff\u200b"));
    assertEquals("lone \\ud800", TerminalText.escape("lone \ud800"));
    assertEquals("a\\\\x1b is not ESC", TerminalText.escape("a\\x1b is not ESC"));
  }

  @Test
  void printableTextOfAnyScriptIsUnchanged() {
    for (String s : List.of("plain", "出力 ünï #1 %20", "émoji 😀 👩\u200d👩", "שלום", "")) {
      assertEquals(s, TerminalText.escape(s));
    }
    assertEquals(null, TerminalText.escape(null));
  }

  @Test
  void messagesKeepTheirOwnLineBreaks() {
    assertEquals("line one \\x1b[31m\nline two C:\\dir",
        TerminalText.escapeKeepingLines("line one \u001b[31m\nline two C:\\dir"));
  }

  @Test
  void jsonEscapesWhatATerminalActsOnAndStaysJson() throws Exception {
    String json = TerminalText.jsonMapper(false).writeValueAsString(
        java.util.Map.of("v", "\u001b\u0085\u202e\u007f ünï"));
    assertEquals("{\"v\":\"\\u001B\\u0085\\u202e\\u007F ünï\"}", json);
    assertEquals("\u001b\u0085\u202e\u007f ünï",
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("v").asText());
  }
}
