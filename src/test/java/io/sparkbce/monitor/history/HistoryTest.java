package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.output.CommitLock;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.monitor.MonitorTest;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metric history: recomputed windows replace, late data, crashes leave it intact. */
public class HistoryTest {
  @TempDir
  Path tmp;

  @AfterEach
  void noHooks() {
    MetricHistory.beforeSwap = null;
    MetricHistory.midSwap = null;
  }

  private String[] args(Path input, Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("monitor", "--input", input.toString(),
        "--time-col", "ts", "--group-by", "model", "--output", out.toString()));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  /** window start + segment -> loss, failing on a duplicate. */
  static Map<String, Double> losses(Path history) {
    return MonitorTest.losses(history);
  }

  public static List<String> partitions(Path history) {
    return MonitorTest.list(history).stream().filter(n -> n.startsWith("window_date="))
        .toList();
  }

  static Map<String, Object> computedAt(Path history) {
    Map<String, Object> out = new TreeMap<>();
    for (Row r : spark().read().parquet(history.toString()).collectAsList()) {
      out.put(r.getAs("window_start") + " " + r.getAs("segment"), r.getAs("computed_at"));
    }
    return out;
  }

  @Test
  void recomputingAWindowReplacesItAndLateDataIsCounted() {
    List<Event> events = new ArrayList<>(MonitorTesting.events(3, 30, 3, 11, 0, d -> 0));
    Path input = tmp.resolve("in");
    MonitorTesting.write(events, input, false);
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    run(args(input, out)).assertCode(0);
    Map<String, Double> first = losses(history);
    assertEquals(6, first.size(), first.toString());
    Map<String, Object> firstAt = computedAt(history);

    // the same run again: the same windows, not twice as many
    run(args(input, out)).assertCode(0);
    assertEquals(first, losses(history));
    assertEquals(List.of("window_date=2025-06-01", "window_date=2025-06-02",
        "window_date=2025-06-03"), partitions(history));

    // late data for the first day of model b, then only that day recomputed
    List<Event> late = MonitorTesting.events(1, 10, 3, 12, 0, d -> 1.0).stream()
        .filter(e -> e.model().equals("b")).toList();
    MonitorTesting.write(late, input, true);
    Map<String, Object> beforeLate = computedAt(history);
    run(args(input, out, "--since", "2025-06-01", "--until", "2025-06-02")).assertCode(0)
        .assertOut("2 window rows written, 6 in all");
    Map<String, Double> after = losses(history);
    assertEquals(first.keySet(), after.keySet());
    String day0b = after.keySet().stream().filter(k -> k.startsWith("2025-06-01")
        && k.endsWith("model=b")).findFirst().orElseThrow();
    List<Event> all = new ArrayList<>(events);
    all.addAll(late);
    List<Event> mine = all.stream().filter(e -> e.day().equals("2025-06-01")
        && e.model().equals("b")).toList();
    double[] ref = MonitorTesting.reference(mine, null, false, -1);
    assertNear(ref[0] / ref[1], after.get(day0b), "day 0 model b with late rows");
    assertNotEquals(first.get(day0b), after.get(day0b));
    Map<String, Object> afterAt = computedAt(history);
    for (String k : after.keySet()) {
      if (!k.startsWith("2025-06-01")) {
        assertEquals(first.get(k), after.get(k), k);
        assertEquals(beforeLate.get(k), afterAt.get(k), "untouched window " + k);
      }
    }
    assertNotEquals(firstAt.get(day0b), afterAt.get(day0b));
  }

  @Test
  void aRunThatFailsBeforeTheSwapLeavesTheHistoryAsItWas() {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 20, 3, 21, 0, d -> 0), input, false);
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    run(args(input, out)).assertCode(0);
    Map<String, Double> before = losses(history);
    List<String> dirs = MonitorTest.list(history);
    assertTrue(dirs.contains(HistorySeries.NAME), dirs.toString());

    MetricHistory.beforeSwap = staging -> {
      assertTrue(MonitorTest.list(Path.of(java.net.URI.create(staging))).stream()
          .anyMatch(n -> n.startsWith("window_date=")), "staging is complete");
      throw new IllegalStateException("injected failure after staging");
    };
    run(args(input, out, "--weight", "w")).assertCode(1)
        .assertErr("injected failure after staging");
    assertEquals(before, losses(history));
    assertEquals(dirs, MonitorTest.list(history), "no staging directory left");

    MetricHistory.beforeSwap = null;
    run(args(input, out, "--weight", "w")).assertCode(0);
    Map<String, Double> changed = losses(history);
    assertEquals(before.keySet(), changed.keySet());
    assertNotEquals(before, changed);
  }

  @Test
  void aRunThatDiesBetweenTheRenamesIsRolledBackByTheNextOne() {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 20, 3, 31, 0, d -> 0), input, false);
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    run(args(input, out)).assertCode(0);
    Map<String, Double> before = losses(history);

    MetricHistory.midSwap = partition -> {
      throw new IllegalStateException("injected crash between the renames of " + partition);
    };
    run(args(input, out, "--weight", "w")).assertCode(1).assertErr("injected crash");
    MetricHistory.midSwap = null;
    // readers see the partition missing; the next writer, under the lock, puts it back first
    assertEquals(1, partitions(history).size());
    assertEquals(before.size(), MetricHistory.read(spark(), history.toString()).size() * 2);
    run(args(input, out, "--since", "2025-06-02")).assertCode(0);
    assertEquals(before, losses(history));
    assertEquals(List.of("window_date=2025-06-01", "window_date=2025-06-02"),
        partitions(history));
    // nothing hidden left but the manifest listing the series record as spark-bce's, and the
    // empty file its updates lock
    assertTrue(MonitorTest.list(history).stream().noneMatch(n -> n.startsWith(".")
            && !n.equals(OutputManifest.NAME) && !n.equals(CommitLock.NAME)),
        MonitorTest.list(history).toString());
  }
}
