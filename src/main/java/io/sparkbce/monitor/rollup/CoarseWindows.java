package io.sparkbce.monitor.rollup;

import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.MonitorOptions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coarse windows of a roll-up: a fixed length aligned as {@code monitor --window} aligns its
 * windows ({@link FixedWindows}), or calendar months in UTC ({@link CalendarMonths}). Times are
 * milliseconds since 1970-01-01 00:00 UTC.
 */
sealed interface CoarseWindows permits FixedWindows, CalendarMonths {
  Pattern MONTHS = Pattern.compile("\\s*(\\d+)\\s*months?\\s*", Pattern.CASE_INSENSITIVE);

  /** "7 days", "2 weeks", "6 hours", "1 month", "3 months"; else a usage error naming --rollup. */
  static CoarseWindows parse(String text) {
    Matcher m = MONTHS.matcher(text);
    if (m.matches() && Long.parseLong(m.group(1)) >= 1 && Long.parseLong(m.group(1)) <= 1200) {
      return new CalendarMonths(Integer.parseInt(m.group(1)));
    }
    try {
      return FixedWindows.of(MonitorOptions.window("rollup", text));
    } catch (UsageException e) {
      throw new UsageException("--rollup '" + text + "' is not a duration; use e.g. \"7 days\", "
          + "\"2 weeks\", \"1 month\", \"6 hours\"", e);
    }
  }

  /** As the series records it: "7 days", "1 month". */
  String text();

  /** The start of the coarse window holding the instant {@code t}. */
  long start(long t);

  /** The end (exclusive) of the coarse window starting at {@code start}. */
  long end(long start);

  /**
   * Why windows of {@code fine} ({@code fineMillis} long, aligned as monitor aligns them) do not
   * each fall in one coarse window; null when they do.
   */
  String whyNotNested(String fine, long fineMillis);
}
