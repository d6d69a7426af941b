package io.sparkbce.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain-text table for the terminal: {@code a | b} columns, numbers right-aligned. Headers and
 * cells come from data (column names, group values), so they are shown with {@link TerminalText}'s
 * escapes: no cell can move the cursor, start a line or reverse the text after it.
 */
public final class TextTable {
  private final List<String> headers;
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] right;

  public TextTable(List<String> headers) {
    this.headers = headers.stream().map(TerminalText::escape).toList();
    this.right = new boolean[headers.size()];
  }

  public TextTable alignRight(int column) {
    right[column] = true;
    return this;
  }

  public void add(List<String> cells) {
    rows.add(cells.stream().map(TerminalText::escape).toArray(String[]::new));
  }

  int size() {
    return rows.size();
  }

  public String render() {
    int n = headers.size();
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      width[i] = headers.get(i).length();
      for (String[] r : rows) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, headers.toArray(new String[0]), width);
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    b.append('\n');
    for (String[] r : rows) {
      line(b, r, width);
    }
    return b.toString();
  }

  private void line(StringBuilder b, String[] cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i];
      String pad = " ".repeat(width[i] - c.length());
      l.append(i == 0 ? "" : " | ").append(right[i] ? pad + c : c + pad);
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }

  public static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A loss for reading: 6 decimals in the usual range, scientific notation outside it. */
  public static String number(Double v) {
    if (v == null) {
      return "NULL";
    }
    double d = v;
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return Double.toString(d);
    }
    double a = Math.abs(d);
    if (d == 0 || (a >= 1e-3 && a < 1e7)) {
      return String.format(Locale.ROOT, "%.6f", d);
    }
    return String.format(Locale.ROOT, "%.6e", d);
  }
}
