package io.sparkbce.monitor.rollup;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.monitor.rollup.RollupTesting.monitor;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting.Run;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a roll-up refuses, each with a message naming the option, the windows or the rows: the
 * options of the data pass, windows that do not nest, windows merged across different settings,
 * rows without their exact state (older histories), and outputs it does not own.
 */
class RollupErrorsTest {
  @TempDir
  static Path tmp;
  /** The output directory of a monitor run of 1-day windows (4 days, 2 models). */
  static Path daily;
  /** ... of 2-day windows over the same input. */
  static Path twoDays;

  @BeforeAll
  static void histories() {
    Path input = RollupTesting.input(tmp, 4);
    daily = tmp.resolve("daily");
    run(monitor(input, "1 day", daily)).assertCode(0);
    twoDays = tmp.resolve("two-days");
    run(monitor(input, "2 days", twoDays)).assertCode(0);
  }

  /** monitor --rollup DURATION over the history of a monitor output directory. */
  private static Run rollup(Path outputDir, String duration, String... more) {
    return run(Stream.concat(Stream.of("monitor", "--rollup", duration, "--history",
        outputDir.resolve("history").toString()), Stream.of(more)).toArray(String[]::new));
  }

  @Test
  void theOptionsOfTheDataPassAreRefused() {
    run("monitor", "--rollup", "7 days", "--input", "data", "--time-col", "ts").assertCode(2)
        .assertErr("--input does not go with --rollup: a roll-up reads only the history",
            "its options are --help, --history, --history-format, --history-table, --lock-wait, "
                + "--output, --rollup,");
    run("monitor", "--rollup", "fortnight").assertCode(2)
        .assertErr("--rollup 'fortnight' is not a duration; use e.g. \"7 days\"");
    run("monitor", "--rollup", "7 days", "--history", tmp.resolve("none").toString())
        .assertCode(1).assertErr("--history " + tmp.resolve("none") + ": no such history");
  }

  @Test
  void windowsThatDoNotNestAreRefused() {
    rollup(daily, "36 hours").assertCode(2)
        .assertErr("windows of 1 day do not nest in windows of 36 hours: 36 hours is not a "
            + "multiple of 1 day");
    rollup(daily, "1 day").assertCode(2)
        .assertErr("--rollup 1 day is not longer than the history's windows (1 day)");
    rollup(twoDays, "1 month").assertCode(2)
        .assertErr("windows of 2 days do not nest in calendar months");
    assertFalse(Files.exists(daily.resolve("history-rollup-36-hours")), "nothing written");
  }

  @Test
  void windowsOfDifferentPosWeightAreNotMerged() {
    Path copy = copy(daily, "other-pos-weight");
    rewrite(copy.resolve("history/window_date=2025-06-02"),
        d -> d.withColumn("pos_weight", array(lit(9.0), lit(2.0), lit(4.0))));
    rollup(copy, "7 days").assertCode(1)
        .assertErr("cannot roll up the segment model=a in the window holding 2025-06-01 00:00:00",
            "were computed with different settings (reduction mean, pos_weight [0.5, 2.0, 4.0] "
                + "from 2025-06-01 00:00:00, reduction mean, pos_weight [9.0, 2.0, 4.0] from "
                + "2025-06-02 00:00:00)");
    assertFalse(Files.exists(copy.resolve("history-rollup-7-days")), "nothing written");
  }

  @Test
  void rowsWithoutTheirStateAreRefused() {
    Path copy = copy(daily, "old-rows");
    rewrite(copy.resolve("history/window_date=2025-06-03"), d -> d.drop("state"));
    rollup(copy, "7 days").assertCode(1)
        .assertErr("cannot roll up the history " + copy.resolve("history") + ": 2 of its 8 "
            + "window rows have no exact state", "from 2025-06-03 00:00:00 (model=a) to "
            + "2025-06-03 00:00:00 (model=b)", "recompute those windows from the data");
  }

  @Test
  void outputsItDoesNotOwnAreRefused() {
    rollup(daily, "7 days", "--rollup-output", daily.resolve("history/weeks").toString())
        .assertCode(2).assertErr("--rollup-output " + daily.resolve("history/weeks")
            + " is inside --history");
    rollup(daily, "4 days", "--rollup-output", twoDays.resolve("history").toString())
        .assertCode(2).assertErr("--rollup-output " + twoDays.resolve("history") + " holds "
            + "another series than this roll-up: --window: the history has 2 days, this roll-up "
            + "4 days");
    Path mine = tmp.resolve("not-spark-bce");
    write(mine.resolve("notes.txt"));
    rollup(daily, "7 days", "--rollup-output", mine.toString()).assertCode(1)
        .assertErr(mine.toString(), "spark-bce replaces only outputs it wrote itself");
    assertTrue(Files.exists(mine.resolve("notes.txt")));
  }

  @Test
  void aDeltaHistoryWithoutHistoryFormatDeltaIsRefused() {
    // found by hand: over a Delta history a roll-up read the files a replaceWhere had removed
    Path copy = copy(daily, "delta");
    try {
      Files.createDirectories(copy.resolve("history/_delta_log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // read as a Parquet directory, it would merge the files a replaceWhere removed (DeltaRollupTest)
    rollup(copy, "7 days").assertCode(2)
        .assertErr("--history " + copy.resolve("history") + " is a Delta table: give "
            + "--history-format delta");
    assertFalse(Files.exists(copy.resolve("history-rollup-7-days")), "nothing written");
  }

  private static void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "mine");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of a monitor output directory (history, its manifest and all). */
  private static Path copy(Path from, String name) {
    Path to = tmp.resolve(name);
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Replaces the files of one history partition by {@code change} of its rows. */
  private static void rewrite(Path partition, UnaryOperator<Dataset<Row>> change) {
    Path staged = partition.resolveSibling("tampered");
    change.apply(spark().read().parquet(partition.toString())).coalesce(1).write()
        .parquet(staged.toString());
    try (Stream<Path> all = Files.walk(partition)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
      Files.move(staged, partition);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
