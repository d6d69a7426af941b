package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.MonitorTesting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --history-table NAME}: a Delta history by its name in the session's catalog, created at
 * its database's location by the first run that writes, re-run, read {@code --as-of} and rolled
 * up into a table of its own; what is not a Delta history table is refused. In the delta-tests
 * execution (the session has Delta's catalog).
 */
@Tag("delta")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HistoryTableTest {
  @TempDir
  Path tmp;
  Path input;
  /** Databases made by a test, dropped with their tables after it. */
  final List<String> databases = new ArrayList<>();

  @BeforeEach
  void data() {
    input = tmp.resolve("in");
    // 4 days (2025-06-01 .. 04), models a and b, 3 classes
    MonitorTesting.write(MonitorTesting.events(4, 12, 3, 21, 0, d -> 0.2 * d), input, false);
  }

  @AfterEach
  void drop() {
    for (String db : databases) {
      spark().sql("DROP DATABASE IF EXISTS " + db + " CASCADE");
    }
  }

  /** A database of its own at a temp location, so the tables' folders go away with the test. */
  private String database(String name) {
    databases.add(name);
    spark().sql("CREATE DATABASE " + name + " LOCATION '" + tmp.resolve(name + ".db").toUri()
        + "'");
    return name;
  }

  private String[] monitor(String... more) {
    List<String> a = new ArrayList<>(List.of("monitor", "--input", input.toString(),
        "--time-col", "ts", "--group-by", "model", "--output", tmp.resolve("out").toString()));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  private static long count(String table) {
    return spark().sql("SELECT count(*) FROM " + table).first().getLong(0);
  }

  @Test
  void aNamedHistoryIsCreatedReRunReadAsOfAndRolledUp() {
    String db = database("bce_named");
    String table = db + ".losses";
    // a run that fails before writing leaves no table
    run(monitor("--history-table", table, "--logits", "nope")).assertCode(2);
    assertFalse(spark().catalog().tableExists(table), "no table from a failed run");

    run(monitor("--history-table", table)).assertCode(0).assertOut("8 window rows written");
    assertTrue(spark().catalog().tableExists(table));
    assertEquals(8, count(table), "4 days x 2 models");
    Path location = tmp.resolve(db + ".db").resolve("losses");
    assertTrue(DeltaSupport.isDeltaTable(spark().sparkContext().hadoopConfiguration(),
        location.toUri().toString()), "at the database's location: " + location);
    assertFalse(location.getParent().resolve("alerts.jsonl").toFile().exists(),
        "no alerts file beside the table, in the database's folder");

    // a re-run of one day replaces its windows (one more commit), the table keeps 8 rows
    run(monitor("--history-table", table, "--since", "2025-06-02", "--until", "2025-06-03"))
        .assertCode(0).assertOut("2 window rows written, 8 in all");
    assertEquals(8, count(table));
    assertEquals(2, spark().sql("DESCRIBE HISTORY " + table).count(), "two commits");
    run(monitor("--history-table", table, "--as-of", "0")).assertCode(0)
        .assertOut("as of 0 (8 window rows");

    run("monitor", "--rollup", "2 days", "--history-table", table).assertCode(0)
        .assertOut("(4 window rows written, 4 in all)");
    String rollup = db + ".losses_rollup_2_days";
    assertTrue(spark().catalog().tableExists(rollup), "the roll-up's table");
    Row week = spark().sql("SELECT sum(rows_used) FROM " + rollup).first();
    assertEquals(spark().sql("SELECT sum(rows_used) FROM " + table).first().getLong(0),
        week.getLong(0), "every row used by a day is in one roll-up window");
  }

  @Test
  void whatIsNotADeltaHistoryTableIsRefused() {
    String db = database("bce_refused");
    spark().sql("CREATE TABLE " + db + ".plain (a INT) USING parquet");
    run(monitor("--history-table", db + ".plain")).assertCode(2)
        .assertErr("--history-table " + db + ".plain is a parquet table, not a Delta table");
    run(monitor("--history-table", db + ".h", "--history", tmp.resolve("h").toString()))
        .assertCode(2).assertErr("give --history PATH or --history-table NAME, not both");
    run(monitor("--history-table", db + ".h", "--history-format", "parquet")).assertCode(2)
        .assertErr("--history-table names a Delta table; --history-format parquet does not go "
            + "with it");
    run(monitor("--history-table", "a.b.c")).assertCode(2)
        .assertErr("--history-table 'a.b.c': give [database.]table");
    run(monitor("--history-table", "no_such_db.h")).assertCode(2)
        .assertErr("--history-table no_such_db.h: there is no database no_such_db");
    run("monitor", "--rollup", "7 days", "--history", tmp.resolve("h").toString(),
        "--rollup-table", "x").assertCode(2).assertErr("--rollup-table goes with --history-table");
  }
}
