package io.sparkbce.monitor.rollup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Coarse windows of {@code months} calendar months in UTC, counted from January 1970 (so "3
 * months" are the quarters, "12 months" the years). UTC because monitor's windows are aligned in
 * UTC (Spark's tumbling windows), whatever the session time zone: only then do they nest.
 */
record CalendarMonths(int months) implements CoarseWindows {
  private static final long DAY = 86_400_000L;

  @Override
  public String text() {
    return months + (months == 1 ? " month" : " months");
  }

  @Override
  public long start(long t) {
    ZonedDateTime d = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
    long index = (d.getYear() - 1970L) * 12 + d.getMonthValue() - 1;
    long first = Math.floorDiv(index, months) * months;
    return ZonedDateTime.of((int) (1970 + Math.floorDiv(first, 12)),
        (int) Math.floorMod(first, 12) + 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant()
        .toEpochMilli();
  }

  @Override
  public long end(long start) {
    return Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC).plusMonths(months).toInstant()
        .toEpochMilli();
  }

  @Override
  public String whyNotNested(String fine, long fineMillis) {
    if (DAY % fineMillis != 0) {
      return "windows of " + fine + " do not nest in calendar months: a month starts at "
          + "midnight UTC, which is a boundary of windows of " + fine + " only when they divide "
          + "1 day (e.g. 1 day, 6 hours, 15 minutes)";
    }
    return null;
  }
}
