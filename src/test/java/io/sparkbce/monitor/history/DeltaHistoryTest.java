package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code monitor --history-format delta}: the same rows as a Parquet history, a re-run replacing
 * only its (window, segment) pairs in one commit, two writers at once (a conflicting one exits 75
 * and loses nothing; disjoint ones both commit), {@code --as-of} and the errors. Runs in the
 * delta-tests execution, whose session has Delta's extension and catalog.
 */
@Tag("delta")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeltaHistoryTest {
  @TempDir
  Path tmp;
  Path input;
  List<Event> events;

  @BeforeEach
  void data() {
    input = tmp.resolve("in");
    // 4 days (2025-06-01 .. 04), models a and b, 12 rows each per day, 3 classes
    events = MonitorTesting.events(4, 12, 3, 21, 0, d -> 0.2 * d);
    MonitorTesting.write(events, input, false);
  }

  @AfterEach
  void noHooks() {
    DeltaHistory.duringWrite = null;
    DeltaSupport.probeClass = "io.delta.tables.DeltaTable";
  }

  private String[] args(Path history, String out, String... more) {
    List<String> a = new ArrayList<>(List.of("monitor", "--input", input.toString(),
        "--time-col", "ts", "--group-by", "model", "--history", history.toString(),
        "--output", tmp.resolve(out).toString()));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  private String[] delta(Path history, String out, String... more) {
    List<String> a = new ArrayList<>(Arrays.asList(args(history, out, more)));
    a.addAll(List.of("--history-format", "delta"));
    return a.toArray(new String[0]);
  }

  /** "window start|segment" -> the row, from the Delta table (or Parquet) as it is now. */
  private static Map<String, Row> rows(Path history, String format) {
    Map<String, Row> out = new TreeMap<>();
    for (Row r : spark().read().format(format).load(history.toString()).collectAsList()) {
      Row previous = out.put(r.getAs("window_start") + "|" + r.getAs("segment"), r);
      assertEquals(null, previous, "one row per window and segment");
    }
    return out;
  }

  private static long versions(Path history) {
    return spark().sql("DESCRIBE HISTORY delta.`" + history + "`").count();
  }

  private long rowsOf(String day, String model) {
    return events.stream().filter(e -> e.day().equals(day) && e.model().equals(model)
        && e.y() != null).count();
  }

  @Test
  void holdsTheParquetHistorysRowsAndAReRunReplacesOnlyItsWindowsInOneCommit() throws Exception {
    Path parquet = tmp.resolve("p").resolve("history");
    Path history = tmp.resolve("d").resolve("history");
    run(args(parquet, "p")).assertCode(0);
    run(delta(history, "d")).assertCode(0).assertOut("history: " + history);
    assertTrue(Files.isDirectory(history.resolve("_delta_log")));
    assertEquals(1, versions(history));

    // the same columns and values (computed_at aside) as the Parquet history of the same run
    Map<String, Row> p = rows(parquet, "parquet");
    Map<String, Row> d = rows(history, "delta");
    assertEquals(8, d.size(), "4 days x 2 models");
    assertEquals(p.keySet(), d.keySet());
    List<String> columns = List.of("window_start", "window_end", "segment", "segment_values",
        "reduction", "loss", "weighted_mean_loss", "rows", "rows_used", "rows_skipped",
        "skipped_by_reason", "elements", "positives_per_class", "loss_per_class", "pos_weight",
        "quality", "quality_per_class", "state", "computed_at", "window_date");
    assertEquals(columns.stream().sorted().toList(),
        Arrays.stream(d.values().iterator().next().schema().fieldNames()).sorted().toList());
    for (String k : p.keySet()) {
      for (String c : columns) {
        if (c.equals("computed_at")) {
          continue;
        }
        Object pv = p.get(k).getAs(c);
        Object dv = d.get(k).getAs(c);
        if (pv instanceof byte[] pb) {
          assertArrayEquals(pb, (byte[]) dv, k + " " + c);
        } else {
          assertEquals(String.valueOf(pv), String.valueOf(dv), k + " " + c);
        }
      }
    }
    String day2a = Timestamp.valueOf("2025-06-02 00:00:00") + "|model=a";
    assertEquals(rowsOf("2025-06-02", "a"), d.get(day2a).<Long>getAs("rows_used"));

    // late rows for 2025-06-02, model a only; re-run that day and segment
    List<Event> late = MonitorTesting.events(1, 5, 3, 99, 1, x -> 0).stream()
        .filter(e -> e.model().equals("a")).toList();
    MonitorTesting.write(late, input, true);
    Thread.sleep(20);
    run(delta(history, "d", "--since", "2025-06-02", "--until", "2025-06-03", "--where",
        "model = 'a'")).assertCode(0).assertOut("1 window rows written, 8 in all");
    assertEquals(2, versions(history), "one commit for the re-run");
    Map<String, Row> after = rows(history, "delta");
    assertEquals(d.keySet(), after.keySet(), "no window lost, none added");
    assertEquals(rowsOf("2025-06-02", "a") + late.size(),
        after.get(day2a).<Long>getAs("rows_used"));
    for (String k : d.keySet()) {
      if (!k.equals(day2a)) {
        // not recomputed: untouched, to the computed_at
        assertEquals(d.get(k).<Timestamp>getAs("computed_at"),
            after.get(k).<Timestamp>getAs("computed_at"), k);
      }
    }
    assertNotEquals(d.get(day2a).<Timestamp>getAs("computed_at"),
        after.get(day2a).<Timestamp>getAs("computed_at"));
    // only the date re-run was rewritten: the commit removed files of that partition only
    Row op = spark().sql("DESCRIBE HISTORY delta.`" + history + "`").where("version = 1")
        .first();
    assertTrue(String.valueOf(op.getJavaMap(op.fieldIndex("operationParameters")))
        .contains("2025-06-02"), () -> "replaceWhere predicate: " + op);
  }

  /**
   * Writer "first" re-runs 2025-06-01..03 and is held inside its write (its transaction open)
   * while the second re-runs 2025-06-02..04 and commits. The first is refused (exit 75, nothing
   * written); run again it succeeds, and every window of both is there.
   */
  @Test
  void aConflictingWriterExits75AndNothingIsLostAfterARetry() throws Exception {
    Path history = tmp.resolve("c").resolve("history");
    run(delta(history, "seed")).assertCode(0);
    Map<String, Row> seed = rows(history, "delta");
    JobTesting.Run[] runs = twoWriters(
        delta(history, "first", "--since", "2025-06-01", "--until", "2025-06-04"),
        delta(history, "second", "--since", "2025-06-02", "--until", "2025-06-05"));
    runs[1].assertCode(0);
    runs[0].assertCode(75).assertErr("another run changed the Delta history " + history,
        "this run wrote nothing to it", "Run it again");
    assertFalse(runs[0].err().contains("\tat "), "no stack trace");
    Map<String, Row> between = rows(history, "delta");
    assertEquals(seed.keySet(), between.keySet());
    String day1 = Timestamp.valueOf("2025-06-01 00:00:00").toString();
    for (String k : seed.keySet()) {
      boolean bySecond = !k.startsWith(day1);
      assertEquals(!bySecond, seed.get(k).getAs("computed_at")
          .equals(between.get(k).getAs("computed_at")), k + ": the first run wrote nothing");
    }

    run(delta(history, "first", "--since", "2025-06-01", "--until", "2025-06-04"))
        .assertCode(0);
    Map<String, Row> after = rows(history, "delta");
    assertEquals(seed.keySet(), after.keySet(), "every window of both runs, once");
    for (String k : after.keySet()) {
      String day = k.substring(0, 10);
      String model = k.substring(k.length() - 1);
      assertEquals(rowsOf(day, model), after.get(k).<Long>getAs("rows_used"), k);
      boolean byRetry = !day.equals("2025-06-04");
      assertEquals(byRetry, !between.get(k).getAs("computed_at")
          .equals(after.get(k).getAs("computed_at")), k);
    }
  }

  @Test
  void writersOnDisjointWindowsBothCommit() throws Exception {
    Path history = tmp.resolve("j").resolve("history");
    run(delta(history, "seed")).assertCode(0);
    Map<String, Row> seed = rows(history, "delta");
    JobTesting.Run[] runs = twoWriters(
        delta(history, "first", "--since", "2025-06-01", "--until", "2025-06-03"),
        delta(history, "second", "--since", "2025-06-03", "--until", "2025-06-05"));
    runs[1].assertCode(0);
    runs[0].assertCode(0);
    Map<String, Row> after = rows(history, "delta");
    assertEquals(seed.keySet(), after.keySet());
    for (String k : after.keySet()) {
      assertNotEquals(seed.get(k).<Timestamp>getAs("computed_at"),
          after.get(k).<Timestamp>getAs("computed_at"),
          k + " rewritten by one of the two");
      String day = k.substring(0, 10);
      assertEquals(rowsOf(day, k.substring(k.length() - 1)), after.get(k).<Long>getAs("rows_used"));
    }
    assertEquals(3, versions(history));
  }

  /**
   * Runs {@code first} in a thread named "first", held inside its Delta write until {@code
   * second} (run once the first is there) has finished; returns both runs.
   */
  private static JobTesting.Run[] twoWriters(String[] first, String[] second) throws Exception {
    CountDownLatch firstInWrite = new CountDownLatch(1);
    CountDownLatch secondDone = new CountDownLatch(1);
    DeltaHistory.duringWrite = writer -> {
      if (writer.equals("first")) {
        firstInWrite.countDown();
        try {
          secondDone.await(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    CompletableFuture<JobTesting.Run> a = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        a.complete(run(first));
      } catch (Throwable e) {
        a.completeExceptionally(e);
      }
    }, "first");
    t.start();
    try {
      assertTrue(firstInWrite.await(5, TimeUnit.MINUTES), "the first writer reached its write");
      JobTesting.Run b = run(second);
      secondDone.countDown();
      return new JobTesting.Run[] {a.get(5, TimeUnit.MINUTES), b};
    } finally {
      secondDone.countDown();
      t.join(TimeUnit.MINUTES.toMillis(5));
    }
  }

  @Test
  void asOfShowsTheHistoryAsItStoodThen() throws Exception {
    Path history = tmp.resolve("a").resolve("history");
    run(delta(history, "a")).assertCode(0);
    Row v0 = spark().sql("DESCRIBE HISTORY delta.`" + history + "`").first();
    Timestamp t0 = v0.getAs("timestamp");
    Thread.sleep(1500);
    // version 1: 2025-06-02 model a recomputed with late rows
    List<Event> late = MonitorTesting.events(1, 5, 3, 99, 1, x -> 0).stream()
        .filter(e -> e.model().equals("a")).toList();
    MonitorTesting.write(late, input, true);
    run(delta(history, "a", "--since", "2025-06-02", "--until", "2025-06-03")).assertCode(0);
    String before = String.format(Locale.ROOT, "%,d", rowsOf("2025-06-02", "a"));
    String now = String.format(Locale.ROOT, "%,d", rowsOf("2025-06-02", "a") + late.size());

    JobTesting.Run r = run(delta(history, "a", "--as-of", "0", "--alert-above", "0"))
        .assertCode(0).assertOut("as of 0 (8 window rows, 8 shown; nothing written)",
            "(not written to alerts.jsonl): 8");
    assertTrue(r.out().contains("2025-06-02 00:00:00 | model=a |" + pad(before)), r.out());
    assertTrue(Files.exists(tmp.resolve("a").resolve("report-as-of-0.html")));
    assertFalse(Files.exists(tmp.resolve("a").resolve("alerts.jsonl")), "nothing written");
    assertEquals(2, versions(history), "the history is not written");

    run(delta(history, "a", "--as-of", "1", "--since", "2025-06-02", "--until", "2025-06-03"))
        .assertCode(0).assertOut("as of 1 (8 window rows, 2 shown", "model=a |" + pad(now));
    // a time between the two commits: version 0
    String between = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
        .format(t0.toInstant().plusSeconds(1));
    run(delta(history, "a", "--as-of", between)).assertCode(0)
        .assertOut("2025-06-02 00:00:00 | model=a |" + pad(before));

    run(delta(history, "a", "--as-of", "5")).assertCode(2)
        .assertErr("--as-of 5: the Delta history " + history + " has versions 0 to 1");
    run(delta(history, "a", "--as-of", "2000-01-01")).assertCode(2).assertErr("--as-of 2000-01-01:");
    run(args(history, "a", "--as-of", "0")).assertCode(2)
        .assertErr("--as-of reads a past version of a Delta history");
    run(delta(tmp.resolve("none"), "a", "--as-of", "0")).assertCode(2)
        .assertErr("there is no Delta history at --history " + tmp.resolve("none"));
  }

  /** The rows-used column as the table right-aligns it (width of "rows used"). */
  private static String pad(String count) {
    return String.format("%10s", count);
  }

  @Test
  void aParquetHistoryAndADeltaOneAreNotMistakenForEachOther() {
    Path parquet = tmp.resolve("p").resolve("history");
    Path history = tmp.resolve("d").resolve("history");
    run(args(parquet, "p")).assertCode(0);
    run(delta(history, "d")).assertCode(0);
    run(delta(parquet, "p")).assertCode(2).assertErr("--history " + parquet
        + " holds a Parquet history", "--history-format parquet");
    run(args(history, "d")).assertCode(2).assertErr("--history " + history
        + " is a Delta table: give --history-format delta");
    run(args(history, "d", "--history-format", "iceberg")).assertCode(2)
        .assertErr("--history-format is parquet (the default) or delta, got 'iceberg'");
  }

  @Test
  void withoutDeltasClassesTheErrorNamesTheOptionAndThePackage() {
    DeltaSupport.probeClass = "io.delta.NoSuchClass";
    Path history = tmp.resolve("x").resolve("history");
    run(delta(history, "x")).assertCode(2).assertErr("--history-format delta needs Delta Lake "
        + "(io.delta:delta-spark_2.13:4.1.0)", "--packages io.delta:delta-spark_2.13:4.1.0");
    assertFalse(Files.exists(history.resolve("_delta_log")));
  }
}
