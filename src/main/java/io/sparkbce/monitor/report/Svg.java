package io.sparkbce.monitor.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small helpers shared by the report's parts: escaping, coordinates, UTC times, text widths. */
final class Svg {
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
  /**
   * An upper bound of the width of one character of the 11px chart font, for layout before the
   * browser measures anything (the headless-browser test checks the result: nothing clipped).
   */
  static final double CHAR_WIDTH = 7.0;

  private Svg() {}

  /** Text and attribute values for HTML and SVG. */
  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** A coordinate with one decimal. */
  static String f(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  /** A value in a tooltip or a legend: 6 significant digits, no trailing zeros (0.15, 3). */
  static String num(Double d) {
    if (d == null) {
      return "NULL";
    }
    if (!Double.isFinite(d)) {
      return d.toString();
    }
    return new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros()
        .toPlainString();
  }

  /** A window boundary in UTC: the day alone at midnight, else to the minute (or second). */
  static String utc(long millis) {
    Instant t = Instant.ofEpochMilli(millis);
    return millis % 86_400_000L == 0 ? DAY.format(t)
        : millis % 60_000L == 0 ? MINUTE.format(t) : SECOND.format(t);
  }

  /** When the report was made, in UTC to the second. */
  static String utcSecond(Instant t) {
    return SECOND.format(t) + " UTC";
  }

  static double textWidth(String s) {
    return s.length() * CHAR_WIDTH;
  }

  static boolean finite(Double d) {
    return d != null && Double.isFinite(d);
  }
}
