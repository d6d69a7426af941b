package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import io.sparkbce.monitor.history.HistoryTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a history holds and refuses: segments keyed by typed values (commas, equals signs, NULL and
 * 'NULL' kept apart, a re-run of one segment touching only it), one series per history (reduction,
 * window, pos_weight, group-by), whole windows only, and an input that has a window_date column.
 */
class MonitorSeriesTest {
  @TempDir
  Path tmp;

  static final StructType SCHEMA = new StructType()
      .add("ts", DataTypes.TimestampType)
      .add("a", DataTypes.StringType)
      .add("b", DataTypes.StringType)
      .add("logits", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("labels", DataTypes.createArrayType(DataTypes.DoubleType));

  /** {@code n} rows of group (a, b) on 2025-06-01 with logits shifted by {@code shift}. */
  static List<Row> rows(String a, String b, int n, double shift, int seed) {
    java.util.Random r = new java.util.Random(seed);
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double y0 = r.nextBoolean() ? 1 : 0;
      double y1 = r.nextBoolean() ? 1 : 0;
      out.add(RowFactory.create(Timestamp.valueOf("2025-06-01 " + (10 + i % 10) + ":00:00"), a, b,
          new Double[] {r.nextGaussian() + shift, r.nextGaussian() - shift},
          new Double[] {y0, y1}));
    }
    return out;
  }

  static double meanLoss(List<Row> rows) {
    double sum = 0;
    int n = 0;
    for (Row row : rows) {
      Double[] x = (Double[]) row.get(3);
      Double[] y = (Double[]) row.get(4);
      for (int c = 0; c < x.length; c++) {
        sum += JobTesting.element(x[c], y[c], 1, 1);
        n++;
      }
    }
    return sum / n;
  }

  static void write(List<Row> rows, Path dir, boolean append) {
    spark().createDataFrame(rows, SCHEMA).write()
        .mode(append ? SaveMode.Append : SaveMode.ErrorIfExists).parquet(dir.toString());
  }

  /** segment label -> (loss, computed_at) of the rows of the history, failing on a duplicate. */
  static Map<String, Object[]> bySegment(Path history) {
    Map<String, Object[]> out = new TreeMap<>();
    for (Row r : spark().read().parquet(history.toString()).collectAsList()) {
      Object[] prev = out.put(r.getAs("window_start") + " " + r.getAs("segment"),
          new Object[] {r.getAs("loss"), r.getAs("computed_at")});
      assertTrue(prev == null, "two rows for " + r);
    }
    return out;
  }

  @Test
  void valuesWithCommasAndEqualsSignsAreDistinctSegments() {
    List<Row> g1 = rows("1,b=2", "3", 20, 0.0, 1);
    List<Row> g2 = rows("1", "2,b=3", 20, 1.5, 2);
    List<Row> all = new ArrayList<>(g1);
    all.addAll(g2);
    Path input = tmp.resolve("in");
    write(all, input, false);
    Path out = tmp.resolve("out");
    JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "a,b", "--output", out.toString()).assertCode(0);
    Map<String, Object[]> seg = bySegment(out.resolve("history"));
    assertEquals(2, seg.size(), seg.keySet().toString());
    String l1 = "2025-06-01 00:00:00.0 a='1,b=2',b=3";
    String l2 = "2025-06-01 00:00:00.0 a=1,b='2,b=3'";
    assertEquals(java.util.Set.of(l1, l2), seg.keySet());
    assertNear(meanLoss(g1), (Double) seg.get(l1)[0], "group 1");
    assertNear(meanLoss(g2), (Double) seg.get(l2)[0], "group 2");
    r.assertOut("a='1,b=2',b=3", "a=1,b='2,b=3'");
    // the typed values, as the history keys them
    List<Row> keys = spark().read().parquet(out.resolve("history").toString())
        .select("segment_values.a", "segment_values.b").orderBy("a").collectAsList();
    assertEquals(List.of(RowFactory.create("1", "2,b=3"), RowFactory.create("1,b=2", "3")), keys);
  }

  @Test
  void aNullGroupAndTheStringNullStayApartAndAReRunOfOneKeepsTheOther() {
    List<Row> nulls = rows(null, "x", 20, 0.0, 3);
    List<Row> text = rows("NULL", "x", 20, 1.0, 4);
    List<Row> all = new ArrayList<>(nulls);
    all.addAll(text);
    Path input = tmp.resolve("in");
    write(all, input, false);
    Path out = tmp.resolve("out");
    String[] args = {"monitor", "--input", input.toString(), "--time-col", "ts", "--group-by",
        "a", "--output", out.toString()};
    run(args).assertCode(0).assertOut("a=NULL", "a='NULL'");
    Map<String, Object[]> first = bySegment(out.resolve("history"));
    String nullKey = "2025-06-01 00:00:00.0 a=NULL";
    String textKey = "2025-06-01 00:00:00.0 a='NULL'";
    assertEquals(java.util.Set.of(nullKey, textKey), first.keySet());
    assertNear(meanLoss(nulls), (Double) first.get(nullKey)[0], "NULL group");
    assertNear(meanLoss(text), (Double) first.get(textKey)[0], "'NULL' group");

    // late rows of the NULL group; only that group is recomputed
    List<Row> late = rows(null, "x", 10, 2.0, 5);
    write(late, input, true);
    List<String> again = new ArrayList<>(List.of(args));
    again.addAll(List.of("--where", "a IS NULL"));
    run(again.toArray(new String[0])).assertCode(0);
    Map<String, Object[]> after = bySegment(out.resolve("history"));
    assertEquals(first.keySet(), after.keySet());
    List<Row> nullsNow = new ArrayList<>(nulls);
    nullsNow.addAll(late);
    assertNear(meanLoss(nullsNow), (Double) after.get(nullKey)[0], "NULL group with late rows");
    assertEquals(first.get(textKey)[0], after.get(textKey)[0], "the 'NULL' group's loss");
    assertEquals(first.get(textKey)[1], after.get(textKey)[1], "the 'NULL' group untouched");
  }

  @Test
  void aHistoryRefusesAnotherSeriesUnlessToldToStartANewOne() throws IOException {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 10, 2, 9, 0, d -> 0), input, false);
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    List<String> base = List.of("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--output", out.toString());
    run(with(base)).assertCode(0);
    Map<String, Double> before = MonitorTest.losses(history);

    run(with(base, "--reduction", "sum")).assertCode(2)
        .assertErr("--reduction: the history has mean, this run sum", "--new-series");
    run(with(base, "--window", "12 hours")).assertCode(2)
        .assertErr("--window: the history has 1 day, this run 12 hours");
    run(with(base, "--pos-weight", "2,3")).assertCode(2)
        .assertErr("--pos-weight: the history has none, this run 2.0,3.0");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "id",
        "--output", out.toString()).assertCode(2)
        .assertErr("--group-by: the history has model STRING, this run id BIGINT");
    assertEquals(before, MonitorTest.losses(history));

    run(with(base, "--reduction", "sum", "--new-series")).assertCode(0)
        .assertOut("new series; the previous rows are kept under");
    List<Row> rows = spark().read().parquet(history.toString()).collectAsList();
    assertEquals(4, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.getAs("reduction").equals("sum")), rows.toString());
    Path previous;
    try (Stream<Path> s = Files.list(history.resolve("_previous"))) {
      previous = s.findFirst().orElseThrow();
    }
    assertEquals(before, MonitorTest.losses(previous));
    // the new series is the history's now
    run(with(base, "--reduction", "sum")).assertCode(0);
    run(with(base)).assertCode(2).assertErr("the history has sum, this run mean");
  }

  @Test
  void anOldHistoryWithTextSegmentsIsRefusedNotMisread() {
    Path history = tmp.resolve("out").resolve("history");
    // what spark-bce wrote before: a text segment, no series record
    List<Row> old = List.of(RowFactory.create(Timestamp.valueOf("2025-05-31 00:00:00"),
        Timestamp.valueOf("2025-06-01 00:00:00"), "model=a", "mean", 0.5, "2025-05-31"));
    StructType oldSchema = new StructType().add("window_start", DataTypes.TimestampType)
        .add("window_end", DataTypes.TimestampType).add("segment", DataTypes.StringType)
        .add("reduction", DataTypes.StringType).add("loss", DataTypes.DoubleType)
        .add("window_date", DataTypes.StringType);
    spark().createDataFrame(old, oldSchema).write().partitionBy("window_date")
        .parquet(history.toString());
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(1, 10, 2, 8, 0, d -> 0), input, false);
    List<String> base = List.of("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--output", tmp.resolve("out").toString());
    // no manifest beside it: not listed as spark-bce's, so never touched, not even by
    // --new-series (the README asks users to move an earlier release's history away)
    run(with(base)).assertCode(1).assertErr("spark-bce did not write it", "--history");
    assertEquals(List.of("window_date=2025-05-31"), HistoryTest.partitions(history));
    run(with(base, "--new-series")).assertCode(1).assertErr("spark-bce did not write it");
    assertEquals(List.of("window_date=2025-05-31"), HistoryTest.partitions(history));
  }

  @Test
  void sinceAndUntilMustBeWindowBoundaries() {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(2, 20, 2, 10, 0, d -> 0), input, false);
    Path out = tmp.resolve("out");
    Path history = out.resolve("history");
    List<String> base = List.of("monitor", "--input", input.toString(), "--time-col", "ts",
        "--output", out.toString());
    run(with(base)).assertCode(0);
    Map<String, Double> before = MonitorTest.losses(history);
    run(with(base, "--since", "2025-06-01 00:10")).assertCode(2).assertErr(
        "--since '2025-06-01 00:10' is not a window boundary",
        "2025-06-01 00:00:00 and 2025-06-02 00:00:00");
    run(with(base, "--until", "2025-06-02 23:59:59")).assertCode(2)
        .assertErr("--until '2025-06-02 23:59:59' is not a window boundary");
    run(with(base, "--window", "1 hour", "--since", "2025-06-01 05:30", "--output",
        tmp.resolve("hourly").toString())).assertCode(2)
        .assertErr("2025-06-01 05:00:00 and 2025-06-01 06:00:00");
    assertEquals(before, MonitorTest.losses(history));
    // boundaries pass
    run(with(base, "--since", "2025-06-02", "--until", "2025-06-03 00:00")).assertCode(0)
        .assertOut("1 window rows written, 2 in all");
    assertEquals(before, MonitorTest.losses(history));
  }

  @Test
  void anInputWithAWindowDateColumnIsMonitored() {
    List<Event> events = MonitorTesting.events(2, 10, 2, 12, 0, d -> 0);
    Path input = tmp.resolve("in");
    List<Row> rows = events.stream().map(Event::row).toList();
    spark().createDataFrame(rows, MonitorTesting.SCHEMA)
        .withColumn("window_date", org.apache.spark.sql.functions.date_format(
            org.apache.spark.sql.functions.col("ts"), "yyyy-MM-dd"))
        .write().partitionBy("window_date").parquet(input.toString());
    Path out = tmp.resolve("out");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by",
        "window_date", "--output", out.toString()).assertCode(0)
        .assertOut("window_date=2025-06-01", "window_date=2025-06-02");
    Map<String, Double> losses = MonitorTest.losses(out.resolve("history"));
    assertEquals(2, losses.size(), losses.toString());
    for (String day : List.of("2025-06-01", "2025-06-02")) {
      double[] ref = MonitorTesting.reference(
          events.stream().filter(e -> e.day().equals(day)).toList(), null, false, -1);
      assertNear(ref[0] / ref[1], losses.get(day + " 00:00:00.0 window_date=" + day), day);
    }
  }

  private static String[] with(List<String> base, String... more) {
    List<String> a = new ArrayList<>(base);
    for (int i = 0; i < more.length; i++) {
      int at = a.indexOf(more[i]);
      if (more[i].startsWith("--") && at >= 0 && i + 1 < more.length
          && !more[i + 1].startsWith("--")) {
        a.set(at + 1, more[++i]);
      } else {
        a.add(more[i]);
      }
    }
    return a.toArray(new String[0]);
  }
}
