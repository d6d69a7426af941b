package io.sparkbce.monitor.rollup;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.monitor.rollup.RollupTesting.monitor;
import static io.sparkbce.monitor.rollup.RollupTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.history.MetricHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A roll-up is the coarse window computed from the data, bit for bit: {@code monitor --rollup}
 * over a history of 1-day windows against {@code monitor --window} over the same input, every
 * value of every window and segment (loss, weighted mean, per class, NE, calibration, positive
 * rate, mean prediction, counts, skipped by reason) compared by its bits.
 */
class RollupExactTest {
  @TempDir
  static Path tmp;
  static Path input;
  /** The 1-day history rolled up. */
  static Path daily;

  @BeforeAll
  static void histories() {
    // 15 days from Sunday 2025-06-01; windows of 7 days start on Thursdays (1970-01-01 was one):
    // 05-29 (4 days of data), 06-05 (7 days), 06-12 (4 days)
    input = RollupTesting.input(tmp, 15);
    run(monitor(input, "1 day", tmp.resolve("daily"))).assertCode(0);
    daily = tmp.resolve("daily").resolve("history");
  }

  private static List<Metric> history(Path p) {
    return MetricHistory.read(spark(), p.toString());
  }

  private static void assertSameBits(List<Metric> expected, List<Metric> actual) {
    assertEquals(expected.size(), actual.size(), "windows x segments");
    for (int i = 0; i < expected.size(); i++) {
      Metric e = expected.get(i);
      Metric a = actual.get(i);
      String what = e.windowStart() + " " + e.segment();
      assertEquals(values(e), values(a), what);
    }
  }

  /** The printed table has a row of {@code start} and {@code segment} that merged {@code windows}. */
  private static void assertRow(String out, String start, String segment, String windows) {
    assertTrue(java.util.regex.Pattern.compile("(?m)^" + start + " \\| " + segment + " \\| +"
        + windows + " \\|").matcher(out).find(), () -> start + " " + segment + " " + windows
        + " in:\n" + out);
  }

  @Test
  void weeksRolledUpFromDaysAreTheWeeksComputedFromTheData() throws IOException {
    String out = run("monitor", "--rollup", "7 days", "--history", daily.toString(),
        "--rollup-partial").assertCode(0)
        .assertOut("roll-up of " + daily, "windows of 1 day) into windows of 7 days",
            "2 of 3 windows of 7 days are partial", "written as they are (--rollup-partial)",
            "(6 window rows written, 6 in all)")
        .out();
    assertRow(out, "2025-06-05 00:00:00", "model=a", "7/7");
    assertRow(out, "2025-05-29 00:00:00", "model=b", "4/7 partial");
    Path rolledUp = tmp.resolve("daily").resolve("history-rollup-7-days");
    List<Metric> fromStates = history(rolledUp);
    assertTrue(Files.readString(rolledUp.resolve("_series.json")).contains("\"window\":\"7 days\""));

    // the roll-up is a history of monitor --window "7 days" with these settings: monitor accepts
    // it and replaces each of its rows with the window computed from the data
    List<String> weekly = new java.util.ArrayList<>(
        List.of(monitor(input, "7 days", tmp.resolve("weekly"))));
    weekly.addAll(List.of("--history", rolledUp.toString()));
    run(weekly.toArray(new String[0])).assertCode(0).assertOut("6 window rows written, 6 in all");
    List<Metric> fromData = history(rolledUp);
    assertEquals(6, fromData.size(), "3 weeks x 2 models");
    assertSameBits(fromData, fromStates);
    for (int i = 0; i < fromData.size(); i++) {
      assertEquals(fromData.get(i).windowStart(), fromStates.get(i).windowStart());
      assertEquals(fromData.get(i).windowEnd(), fromStates.get(i).windowEnd());
      assertEquals(fromData.get(i).windowDate(), fromStates.get(i).windowDate());
      assertTrue(fromData.get(i).computedAt().after(fromStates.get(i).computedAt()),
          "computed again from the data");
    }
    assertTrue(fromData.stream().allMatch(m -> m.rowsSkipped() > 0 && m.loss() != null),
        "every week has skipped rows and a loss: the comparison covers them");

    // not vacuous: the mean of the days' losses is not the week's loss (what a naive roll-up gives)
    Timestamp week = Timestamp.valueOf("2025-06-05 00:00:00");
    List<Metric> days = history(daily).stream().filter(m -> m.segment().equals("model=a")
        && !m.windowStart().before(week) && m.windowStart().getTime() < week.getTime()
            + 7 * 86_400_000L).toList();
    assertEquals(7, days.size());
    double naive = days.stream().mapToDouble(Metric::loss).average().orElseThrow();
    Metric a = fromStates.stream().filter(m -> m.windowStart().equals(week)
        && m.segment().equals("model=a")).findFirst().orElseThrow();
    assertNotEquals(naive, a.loss());
  }

  @Test
  void partialWeeksAreShownButNotWrittenByDefault() {
    Path out = tmp.resolve("complete-weeks");
    String printed = run("monitor", "--rollup", "7 days", "--history", daily.toString(),
        "--rollup-output", out.toString()).assertCode(0)
        .assertOut("shown, not written (--rollup-partial writes them too)",
            "(2 window rows written, 2 in all)").out();
    assertRow(printed, "2025-06-12 00:00:00", "model=a", "4/7 partial");
    List<Metric> written = history(out);
    assertEquals(2, written.size());
    assertTrue(written.stream().allMatch(
        m -> m.windowStart().equals(Timestamp.valueOf("2025-06-05 00:00:00"))), "the whole week");
  }

  @Test
  void aMonthRolledUpFromDaysIsTheMonthComputedFromTheData() {
    // every row is in June 2025, and in one window of 1000 days: the same rows as the month
    run(monitor(input, "1000 days", tmp.resolve("all-rows"))).assertCode(0);
    List<Metric> fromData = history(tmp.resolve("all-rows").resolve("history"));
    Path out = tmp.resolve("monthly");
    String printed = run("monitor", "--rollup", "1 month", "--history", daily.toString(),
        "--rollup-output", out.toString(), "--rollup-partial").assertCode(0).out();
    assertRow(printed, "2025-06-01 00:00:00", "model=a", "15/30 partial");
    List<Metric> fromStates = history(out);
    assertSameBits(fromData, fromStates);
    assertEquals(Timestamp.valueOf("2025-06-01 00:00:00"), fromStates.get(0).windowStart());
    assertEquals(Timestamp.valueOf("2025-07-01 00:00:00"), fromStates.get(0).windowEnd());
  }
}
