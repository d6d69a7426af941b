package io.sparkbce.monitor;

import io.sparkbce.job.UsageException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code --since/--until} must fall on window boundaries, so that a re-run recomputes whole
 * windows and never replaces a complete window of the history with a part of it. Spark's tumbling
 * windows start at multiples of their length since 1970-01-01 00:00:00 UTC; a time between two
 * boundaries is refused with both of them.
 */
public final class WindowAlignment {
  private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private WindowAlignment() {}

  /** The length in milliseconds of a window given as "N unit(s)" (see MonitorOptions#window). */
  public static long millis(String window) {
    String[] p = window.trim().split("\\s+");
    long n = Long.parseLong(p[0]);
    String unit = p[1].toLowerCase(Locale.ROOT).replaceAll("s$", "");
    long ms = switch (unit) {
      case "second" -> 1000L;
      case "minute" -> 60_000L;
      case "hour" -> 3_600_000L;
      case "day" -> 86_400_000L;
      case "week" -> 7 * 86_400_000L;
      default -> throw new IllegalArgumentException("unknown unit in " + window);
    };
    return Math.multiplyExact(n, ms);
  }

  /** Refuses {@code --since} or {@code --until} between two window boundaries. */
  static void check(String window, String since, String until, ZoneId zone) {
    checkOne("since", since, window, zone);
    checkOne("until", until, window, zone);
  }

  private static void checkOne(String option, String time, String window, ZoneId zone) {
    if (time == null) {
      return;
    }
    String iso = time.length() == 10 ? time + "T00:00" : time.replace(' ', 'T');
    Instant t = LocalDateTime.parse(iso).atZone(zone).toInstant();
    long length = millis(window);
    long ms = t.toEpochMilli();
    long below = Math.floorDiv(ms, length) * length;
    if (below == ms && t.getNano() % 1_000_000 == 0) {
      return;
    }
    throw new UsageException("--" + option + " '" + time + "' is not a window boundary: "
        + "windows of " + window + " start at " + shown(below, zone) + " and "
        + shown(below + length, zone) + " around it (session time zone " + zone + "). Give one "
        + "of them: a re-run recomputes whole windows, so that a window of the history is never "
        + "replaced by a part of it.");
  }

  private static String shown(long ms, ZoneId zone) {
    return SHOWN.format(Instant.ofEpochMilli(ms).atZone(zone));
  }
}
