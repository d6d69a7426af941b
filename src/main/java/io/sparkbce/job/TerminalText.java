package io.sparkbce.job;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Locale;

/**
 * Text from data (group values, segment labels, column names, paths, SQL echoed back) made safe to
 * print: every character that a terminal would act on instead of showing is written as a visible
 * escape, so data can neither repaint the screen (ESC sequences), rewrite a line (CR), forge table
 * rows (LF) nor reverse what follows (bidi overrides). Escapes are {@code \n}, {@code \r},
 * {@code \t}, {@code \0}, {@code \x1b} (other C0 and DEL), {@code \u0085} (C1, format characters
 * such as U+202E, line and paragraph separators, unpaired surrogates); a backslash is doubled so
 * that an escape in the output is never ambiguous with the same characters in the data.
 */
public final class TerminalText {
  private TerminalText() {}

  /** {@code s} with every unsafe character escaped; null stays null. */
  public static String escape(String s) {
    return escape(s, false);
  }

  /**
   * A message made of lines: line breaks are kept, everything else unsafe is escaped. For
   * messages whose own structure has several lines and whose data parts were escaped already.
   */
  static String escapeKeepingLines(String s) {
    return escape(s, true);
  }

  private static String escape(String s, boolean keepLines) {
    if (s == null || s.chars().noneMatch(c -> c == '\\' || unsafe(c))) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (keepLines && c == '\n') {
        b.append(c);
      } else if (keepLines && c == '\\') {
        b.append(c);
      } else if (c == '\\') {
        b.append("\\\\");
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = s.codePointAt(i);
        if (unsafe(cp)) {
          b.append(unicodeEscape(cp));
        } else {
          b.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (unsafe(c)) {
        b.append(escapeOf(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Whether a terminal could act on the code point rather than show it: controls (C0, DEL, C1),
   * format characters (bidi embeddings, overrides and isolates, zero-width characters), line and
   * paragraph separators, and lone surrogates.
   */
  static boolean unsafe(int cp) {
    switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.UNASSIGNED:
        return cp != 0x200D; // the zero-width joiner only joins emoji
      default:
        return false;
    }
  }

  private static String escapeOf(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\0':
        return "\\0";
      default:
        return c < 0x80 ? String.format(Locale.ROOT, "\\x%02x", (int) c) : unicodeEscape(c);
    }
  }

  private static String unicodeEscape(int cp) {
    return cp > 0xFFFF ? String.format(Locale.ROOT, "\\U%08x", cp)
        : String.format(Locale.ROOT, "\\u%04x", cp);
  }

  /**
   * A JSON mapper whose output is also safe to {@code cat}: JSON itself escapes only C0 controls;
   * this one writes every other unsafe character (C1, DEL, bidi and other format characters) as a
   * {@code \\uXXXX} escape too. Other non-ASCII text stays as it is (UTF-8).
   */
  public static ObjectMapper jsonMapper(boolean indent) {
    ObjectMapper m = new ObjectMapper();
    m.getFactory().setCharacterEscapes(new JsonEscapes());
    return indent ? m.enable(SerializationFeature.INDENT_OUTPUT) : m;
  }

  private static final class JsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    JsonEscapes() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch >= 0x80 && unsafe(ch)
          ? new SerializedString(String.format(Locale.ROOT, "\\u%04x", ch)) : null;
    }
  }
}
