package io.sparkbce.monitor.rollup;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.monitor.rollup.RollupTesting.monitor;
import static io.sparkbce.monitor.rollup.RollupTesting.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.history.DeltaHistory;
import io.sparkbce.monitor.history.MetricHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code monitor --rollup --history-format delta}: a Delta history is rolled up from its latest
 * version, read through its log, into a Delta roll-up with the bits of a Parquet history's
 * roll-up. Runs in the delta-tests execution, whose session has Delta's extension and catalog.
 */
@Tag("delta")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeltaRollupTest {
  @TempDir
  Path tmp;

  private static String[] delta(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--history-format", "delta"));
    return a.toArray(new String[0]);
  }

  private static List<Metric> byWindow(List<Metric> metrics) {
    return metrics.stream().sorted(Comparator.comparing(Metric::windowStart)
        .thenComparing(Metric::segment)).toList();
  }

  @Test
  void aDeltaHistoryRollsUpThroughItsLogWithTheBitsOfAParquetOne() throws Exception {
    Path input = RollupTesting.input(tmp, 15);
    run(monitor(input, "1 day", tmp.resolve("parquet"))).assertCode(0);
    Path parquetHistory = tmp.resolve("parquet").resolve("history");
    // Two runs over the same days: the second's replaceWhere removes the first's files from the
    // table, but they stay in its directory (until a VACUUM).
    String[] daily = delta(monitor(input, "1 day", tmp.resolve("delta")));
    run(daily).assertCode(0);
    run(daily).assertCode(0);
    Path deltaHistory = tmp.resolve("delta").resolve("history");
    int rows = MetricHistory.read(spark(), parquetHistory.toString()).size();
    assertEquals(2 * rows, spark().read().parquet(deltaHistory.toString()).count(),
        "not vacuous: read as a Parquet directory, the Delta history has every window twice");

    Path deltaRollup = tmp.resolve("delta").resolve("history-rollup-7-days");
    run("monitor", "--rollup", "7 days", "--history", deltaHistory.toString()).assertCode(2)
        .assertErr("--history " + deltaHistory + " is a Delta table: give --history-format delta");
    assertFalse(Files.exists(deltaRollup), "nothing written");

    run("monitor", "--rollup", "7 days", "--history", parquetHistory.toString(),
        "--rollup-partial").assertCode(0).assertOut("(6 window rows written, 6 in all)");
    run(delta("monitor", "--rollup", "7 days", "--history", deltaHistory.toString(),
        "--rollup-partial")).assertCode(0).assertOut("(6 window rows written, 6 in all)");
    assertTrue(Files.isDirectory(deltaRollup.resolve("_delta_log")), "a Delta roll-up");

    List<Metric> fromParquet = byWindow(MetricHistory.read(spark(),
        tmp.resolve("parquet").resolve("history-rollup-7-days").toString()));
    List<Metric> fromDelta = byWindow(DeltaHistory.readAsOf(spark(), deltaRollup.toString(), "0"));
    assertEquals(6, fromParquet.size(), "3 weeks x 2 models");
    assertEquals(fromParquet.size(), fromDelta.size());
    for (int i = 0; i < fromParquet.size(); i++) {
      assertEquals(fromParquet.get(i).windowStart(), fromDelta.get(i).windowStart());
      assertEquals(values(fromParquet.get(i)), values(fromDelta.get(i)),
          fromParquet.get(i).windowStart() + " " + fromParquet.get(i).segment());
    }
  }
}
