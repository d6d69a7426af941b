package io.sparkbce.job;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL file into statements at semicolons outside quotes ({@code '...'}, {@code "..."},
 * backticks) and comments ({@code -- ...}, {@code /* ... *}{@code /}). Comments are dropped.
 */
final class SqlScript {
  /** One statement and the line where it starts (1-based). */
  record Statement(String sql, int line) {}

  private SqlScript() {}

  static List<Statement> split(String text) {
    List<Statement> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int line = 1;
    int startLine = -1;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      char next = i + 1 < n ? text.charAt(i + 1) : '\0';
      if (c == '-' && next == '-') {
        while (i < n && text.charAt(i) != '\n') {
          i++;
        }
        if (i < n) {
          cur.append('\n');
          line++;
        }
        continue;
      }
      if (c == '/' && next == '*') {
        i += 2;
        while (i < n && !(text.charAt(i) == '*' && i + 1 < n && text.charAt(i + 1) == '/')) {
          if (text.charAt(i) == '\n') {
            line++;
            cur.append('\n');
          }
          i++;
        }
        i++;
        cur.append(' ');
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        if (startLine < 0) {
          startLine = line;
        }
        cur.append(c);
        i++;
        while (i < n) {
          char q = text.charAt(i);
          cur.append(q);
          if (q == '\n') {
            line++;
          }
          if (q == '\\' && c != '`' && i + 1 < n) {
            cur.append(text.charAt(++i));
          } else if (q == c) {
            break;
          }
          i++;
        }
        continue;
      }
      if (c == ';') {
        add(out, cur, startLine);
        cur.setLength(0);
        startLine = -1;
        continue;
      }
      if (c == '\n') {
        line++;
      }
      if (startLine < 0 && !Character.isWhitespace(c)) {
        startLine = line;
      }
      cur.append(c);
    }
    add(out, cur, startLine);
    return out;
  }

  private static void add(List<Statement> out, StringBuilder cur, int line) {
    String sql = cur.toString().strip();
    if (!sql.isEmpty()) {
      StringBuilder b = new StringBuilder();
      for (String l : sql.split("\n", -1)) {
        if (!l.isBlank()) {
          b.append(b.length() == 0 ? "" : "\n").append(l.stripTrailing());
        }
      }
      out.add(new Statement(b.toString(), line));
    }
  }
}
