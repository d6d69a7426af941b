package io.sparkbce.monitor.rollup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.UsageException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Where coarse windows start and end, and which fine windows nest in them (no Spark). */
class CoarseWindowsTest {
  private static final long DAY = 86_400_000L;

  private static long at(String utc) {
    return Instant.parse(utc).toEpochMilli();
  }

  @Test
  void weeksStartOnThursdaysAsSparksWindowsOfSevenDays() {
    CoarseWindows w = CoarseWindows.parse(" 7 Days ");
    assertEquals("7 days", w.text());
    // 2025-06-01 was a Sunday; the Thursday before is 2025-05-29
    assertEquals(at("2025-05-29T00:00:00Z"), w.start(at("2025-06-01T13:45:00Z")));
    assertEquals(at("2025-06-05T00:00:00Z"), w.end(w.start(at("2025-06-04T23:59:59Z"))));
    assertEquals(at("2025-06-05T00:00:00Z"), w.start(at("2025-06-05T00:00:00Z")));
    assertEquals(at("1969-12-25T00:00:00Z"), w.start(at("1969-12-31T00:00:00Z")), "before 1970");
    assertEquals(CoarseWindows.parse("1 week").start(123456789L), w.start(123456789L));
  }

  @Test
  void monthsAreCalendarMonthsInUtc() {
    CoarseWindows month = CoarseWindows.parse("1 month");
    assertEquals("1 month", month.text());
    assertEquals(at("2024-02-01T00:00:00Z"), month.start(at("2024-02-29T23:00:00Z")));
    assertEquals(at("2024-03-01T00:00:00Z"), month.end(at("2024-02-01T00:00:00Z")));
    CoarseWindows quarter = CoarseWindows.parse("3 months");
    assertEquals(at("2025-04-01T00:00:00Z"), quarter.start(at("2025-05-15T12:00:00Z")));
    assertEquals(at("2025-07-01T00:00:00Z"), quarter.end(at("2025-04-01T00:00:00Z")));
    assertEquals(at("1969-10-01T00:00:00Z"), quarter.start(at("1969-11-30T00:00:00Z")));
  }

  @Test
  void nestingNeedsAMultipleOrADivisorOfADay() {
    assertNull(CoarseWindows.parse("7 days").whyNotNested("1 day", DAY));
    assertNull(CoarseWindows.parse("1 day").whyNotNested("6 hours", DAY / 4));
    assertTrue(CoarseWindows.parse("7 days").whyNotNested("2 days", 2 * DAY)
        .contains("7 days is not a multiple of 2 days"));
    assertTrue(CoarseWindows.parse("1 day").whyNotNested("1 day", DAY)
        .contains("is not longer than the history's windows (1 day)"));
    assertNull(CoarseWindows.parse("1 month").whyNotNested("15 minutes", DAY / 96));
    assertTrue(CoarseWindows.parse("1 month").whyNotNested("1 week", 7 * DAY)
        .contains("windows of 1 week do not nest in calendar months"));
    assertTrue(CoarseWindows.parse("2 months").whyNotNested("7 hours", 7 * DAY / 24)
        .contains("only when they divide 1 day"));
  }

  @Test
  void anythingElseIsNotADuration() {
    for (String bad : new String[] {"fortnight", "0 days", "0 months", "1.5 days", "-7 days"}) {
      UsageException e = assertThrows(UsageException.class, () -> CoarseWindows.parse(bad));
      assertEquals("--rollup '" + bad + "' is not a duration; use e.g. \"7 days\", \"2 weeks\", "
          + "\"1 month\", \"6 hours\"", e.getMessage());
    }
  }
}
