package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.MonitorTesting.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Windows stay comparable: {@code --pos-weight auto} is computed once (over the reference period,
 * or the first run's rows) and frozen in the history, every row records the pos_weight it used,
 * and a window's values do not depend on which other windows were in the same run.
 */
class ComparableWindowsTest {
  private static final int C = 3;
  @TempDir
  static Path tmp;
  static List<Event> events;
  static Path input;

  @BeforeAll
  static void data() {
    // model b drifts, so the label balance of the days differs too
    events = MonitorTesting.events(3, 40, C, 23, 0, d -> d * 0.7);
    input = tmp.resolve("in");
    MonitorTesting.write(events, input, false);
  }

  /** Every column of every row but computed_at, by window and segment. */
  private static Map<String, String> rows(Path history) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : spark().read().parquet(history.toString()).drop("computed_at", "state")
        .collectAsList()) {
      out.put(r.getAs("window_start") + " " + r.getAs("segment"), r.toString());
    }
    return out;
  }

  private static String[] monitor(Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of("monitor", "--input", input.toString(),
        "--time-col", "ts", "--group-by", "model", "--weight", "w", "--pos-weight", "auto",
        "--output", out.toString()));
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  /** negatives / positives per class over the events of [fromDay, toDay) (0-based days). */
  private static double[] posWeight(int fromDay, int toDay) {
    double[] pos = new double[C];
    double[] neg = new double[C];
    for (Event e : events) {
      int day = Integer.parseInt(e.day().substring(8)) - 1;
      if (day >= fromDay && day < toDay) {
        for (int c = 0; c < C; c++) {
          pos[c] += e.y()[c];
          neg[c] += 1 - e.y()[c];
        }
      }
    }
    double[] r = new double[C];
    for (int c = 0; c < C; c++) {
      r[c] = neg[c] / pos[c];
    }
    return r;
  }

  private static List<Double> list(double[] a) {
    return java.util.Arrays.stream(a).boxed().toList();
  }

  @Test
  void reRunningOneWindowReusesTheFrozenPosWeightAndGivesTheSameRow() {
    Path out = tmp.resolve("rerun");
    run(monitor(out)).assertCode(0).assertOut("pos_weight: auto, frozen in the history");
    Path history = out.resolve("history");
    Map<String, String> first = rows(history);
    assertEquals(6, first.size());
    for (Row r : spark().read().parquet(history.toString()).collectAsList()) {
      List<Double> pw = r.getList(r.fieldIndex("pos_weight"));
      double[] expected = posWeight(0, 3);
      for (int c = 0; c < C; c++) {
        assertEquals(expected[c], pw.get(c), 1e-12 * expected[c], "pos_weight " + c);
      }
    }
    // day 2 alone: its own label balance differs from the three days'
    assertNotEquals(list(posWeight(1, 2)), list(posWeight(0, 3)));
    run(monitor(out, "--since", "2025-06-02", "--until", "2025-06-03")).assertCode(0);
    assertEquals(first, rows(history), "re-running day 2 alone changed nothing");
  }

  @Test
  void aReferencePeriodMakesWindowsIndependentOfTheRun() throws IOException {
    String[] reference = {"--reference-since", "2025-06-01", "--reference-until", "2025-06-03"};
    Path all = tmp.resolve("all-days");
    run(monitor(all, reference)).assertCode(0)
        .assertOut("pos_weight: auto over [2025-06-01, 2025-06-03), frozen in the history");
    Path one = tmp.resolve("day-three");
    List<String> args = new java.util.ArrayList<>(List.of(monitor(one, reference)));
    args.addAll(List.of("--since", "2025-06-03", "--until", "2025-06-04"));
    run(args.toArray(new String[0])).assertCode(0);
    Map<String, String> allDays = rows(all.resolve("history"));
    Map<String, String> dayThree = rows(one.resolve("history"));
    assertEquals(2, dayThree.size());
    for (Map.Entry<String, String> e : dayThree.entrySet()) {
      assertEquals(allDays.get(e.getKey()), e.getValue(), e.getKey());
    }
    Row r = spark().read().parquet(one.resolve("history").toString()).first();
    List<Double> pw = r.getList(r.fieldIndex("pos_weight"));
    double[] expected = posWeight(0, 2);
    for (int c = 0; c < C; c++) {
      assertEquals(expected[c], pw.get(c), 1e-12 * expected[c], "pos_weight " + c);
    }
    String series = Files.readString(one.resolve("history").resolve("_series.json"));
    assertTrue(series.contains("\"pos_weight\":\"auto over [2025-06-01, 2025-06-03)\"")
        && series.contains("pos_weight_values"), series);

    // another reference period is another series
    run(monitor(one, "--reference-since", "2025-06-02")).assertCode(2).assertErr(
        "--pos-weight: the history has auto over [2025-06-01, 2025-06-03), this run auto over"
            + " [2025-06-02, ...)");
  }

  @Test
  void aReferencePeriodNeedsPosWeightAuto() {
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--reference-since",
        "2025-06-01", "--output", tmp.resolve("no-auto").toString()).assertCode(2)
        .assertErr("--reference-since and --reference-until choose the rows of --pos-weight auto");
    run(monitor(tmp.resolve("bad-time"), "--reference-until", "June")).assertCode(2)
        .assertErr("--reference-until 'June' is not a date or time");
  }
}
