package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.job.Main;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code monitor}: metrics per window and segment against plain Java loops; options. */
public class MonitorTest {
  static final int C = 3;
  static final double[] PW = {0.5, 2, 4};
  @TempDir
  static Path tmp;
  static List<Event> events;
  static Path input;

  @BeforeAll
  static void data() {
    events = new ArrayList<>(MonitorTesting.events(3, 40, C, 7, 0, d -> 0));
    // invalid rows: labels missing on day 2 (model a), a NULL time
    Event e = events.get(5);
    events.add(new Event(java.sql.Timestamp.valueOf("2025-06-02 03:00:00"), "a", 900, e.x(), null,
        1.0));
    events.add(new Event(java.sql.Timestamp.valueOf("2025-06-02 04:00:00"), "a", 901, e.x(), null,
        1.0));
    input = tmp.resolve("in");
    MonitorTesting.write(events, input, false);
    List<org.apache.spark.sql.Row> noTime = List.of(org.apache.spark.sql.RowFactory.create(null,
        "a", 902L, JobTesting.box(e.x()), JobTesting.box(e.y()), 1.0));
    spark().createDataFrame(noTime, MonitorTesting.SCHEMA).write().mode("append")
        .parquet(input.toString());
  }

  @Test
  void lossPerWindowAndSegmentMatchesPlainJava() {
    Path out = tmp.resolve("metrics");
    JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--weight", "w", "--pos-weight", "0.5,2,4", "--output",
        out.toString()).assertCode(0);
    r.assertOut("window start", "model=a", "model=b", "rows without a time (skipped): 1",
        "history: " + out.resolve("history"), "alerts: none",
        "report: " + out.resolve("report.html"));
    assertTrue(Files.isDirectory(out.resolve("history").resolve("window_date=2025-06-01")));
    assertTrue(Files.isRegularFile(out.resolve("report.html")));
    List<Row> rows = spark().read().parquet(out.resolve("history").toString())
        .orderBy("window_start", "segment").collectAsList();
    assertEquals(6, rows.size(), rows.toString());
    for (Row row : rows) {
      String day = row.getAs("window_start").toString().substring(0, 10);
      String model = row.<String>getAs("segment").substring("model=".length());
      assertEquals(day, row.getAs("window_date").toString());
      List<Event> mine = events.stream().filter(e -> e.ts() != null && e.day().equals(day)
          && e.model().equals(model)).toList();
      long valid = mine.stream().filter(e -> e.y() != null).count();
      double[] ref = MonitorTesting.reference(mine, PW, true, -1);
      String what = day + " " + model;
      assertNear(ref[0] / ref[1], row.<Double>getAs("loss"), what + " mean loss");
      assertNear(ref[0] / ref[2], row.<Double>getAs("weighted_mean_loss"), what + " w mean");
      assertEquals((long) ref[1], row.<Long>getAs("elements"), what);
      assertEquals(mine.size(), row.<Long>getAs("rows"), what);
      assertEquals(valid, row.<Long>getAs("rows_used"), what);
      assertEquals(mine.size() - valid, row.<Long>getAs("rows_skipped"), what);
      Map<String, Long> skipped = row.getJavaMap(row.fieldIndex("skipped_by_reason"));
      assertEquals(mine.size() - valid, skipped.get("null_labels"), what);
      assertEquals("mean", row.getAs("reduction"));
      List<Double> pos = row.getList(row.fieldIndex("positives_per_class"));
      List<Double> perClass = row.getList(row.fieldIndex("loss_per_class"));
      for (int c = 0; c < C; c++) {
        final int cc = c;
        double p = mine.stream().filter(e -> e.y() != null).mapToDouble(e -> e.y()[cc]).sum();
        assertEquals(p, pos.get(c), 0.0, what + " positives " + c);
        double[] rc = MonitorTesting.reference(mine, PW, true, c);
        assertNear(rc[0] / rc[1], perClass.get(c), what + " class " + c);
      }
    }
  }

  @Test
  void sumReductionHourlyWindowsSinceUntilAndWhere() {
    Path out = tmp.resolve("hourly");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--window", "6 hours",
        "--reduction", "sum", "--since", "2025-06-02", "--until", "2025-06-03",
        "--where", "model = 'b'", "--output", out.toString()).assertCode(0);
    List<Row> rows = spark().read().parquet(out.resolve("history").toString())
        .orderBy("window_start").collectAsList();
    assertEquals(4, rows.size(), rows.toString());
    for (Row row : rows) {
      java.sql.Timestamp start = row.getAs("window_start");
      java.sql.Timestamp end = row.getAs("window_end");
      assertEquals(6 * 3600_000L, end.getTime() - start.getTime());
      assertEquals("all", row.getAs("segment"));
      List<Event> mine = events.stream().filter(e -> e.ts() != null && e.model().equals("b")
          && !e.ts().before(start) && e.ts().before(end)).toList();
      assertNear(MonitorTesting.reference(mine, null, false, -1)[0], row.<Double>getAs("loss"),
          "sum loss " + start);
      assertEquals("2025-06-02", row.getAs("window_date").toString());
    }
  }

  @Test
  void usageErrors() {
    run("monitor", "--input", input.toString()).assertCode(2).assertErr("--time-col");
    run("monitor", "--time-col", "ts").assertCode(2).assertErr("monitor needs --input");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--window", "often")
        .assertCode(2).assertErr("--window 'often' is not a duration");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--reduction", "none")
        .assertCode(2).assertErr("monitor needs a reduction");
    run("monitor", "--input", input.toString(), "--time-col", "tss", "--output",
        tmp.resolve("bad").toString()).assertCode(2)
        .assertErr("unknown column 'tss' (--time-col); available columns: ts, model");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--baseline-windows", "1")
        .assertCode(2).assertErr("--baseline-windows needs at least 2");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--since", "yesterday")
        .assertCode(2).assertErr("--since 'yesterday' is not a date");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--frobnicate", "1")
        .assertCode(2).assertErr("unknown option --frobnicate", "--alert-sigma", "--per-class");
    run("monitor", "--help").assertCode(0).assertOut("--time-col", "--baseline-windows",
        Main.EXIT_CODES + " 3: an alert fired.");
  }

  @Test
  void configFileTakesMonitorAndEvaluateKeys() throws IOException {
    Path out = tmp.resolve("config");
    Path conf = tmp.resolve("monitor.properties");
    Files.writeString(conf, "input=" + input + "\ntime-col=ts\ngroup-by=model\nwindow=1 day\n"
        + "pos-weight=auto\noutput=" + out + "\nalert-above=100\n");
    run("monitor", "--config", conf.toString()).assertCode(0).assertOut("model=a");
    assertEquals(6, spark().read().parquet(out.resolve("history").toString()).count());
  }

  public static List<String> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static Map<String, Double> losses(Path history) {
    Map<String, Double> out = new TreeMap<>();
    for (Row r : spark().read().parquet(history.toString()).collectAsList()) {
      out.merge(r.getAs("window_start") + " " + r.getAs("segment"), r.<Double>getAs("loss"),
          (a, b) -> {
            throw new AssertionError("duplicate window " + r);
          });
    }
    assertFalse(out.isEmpty());
    return out;
  }
}
