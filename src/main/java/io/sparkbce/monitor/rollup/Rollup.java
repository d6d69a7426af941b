package io.sparkbce.monitor.rollup;

import io.sparkbce.job.JobFailure;
import io.sparkbce.job.TerminalText;
import io.sparkbce.job.UsageException;
import io.sparkbce.job.output.OutputGuard;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.monitor.WindowAlignment;
import io.sparkbce.monitor.history.HistorySeries;
import io.sparkbce.monitor.history.MetricHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.HistoryStore;
import io.sparkbce.monitor.history.HistoryTable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code monitor --rollup}: coarser windows merged from the exact states a metric history keeps
 * for its windows, without reading the input. The result is a metric history of its own (the
 * series of the source with the coarse window), so a roll-up and {@code monitor --window} over the
 * same data give the same rows, bit for bit.
 */
public final class Rollup {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd");

  private Rollup() {}

  /** What a roll-up produced: every coarse window, and those written. */
  public record Result(List<Metric> rolledUp, List<Metric> written, List<Metric> history) {}

  public static Result run(SparkSession spark, RollupOptions o, PrintStream out) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    if (o.historyTable != null) {
      o.history = HistoryTable.location(spark, "--history-table", o.historyTable);
    }
    if (o.outputTable != null) {
      o.output = HistoryTable.location(spark, "--rollup-table", o.outputTable);
    }
    HistorySeries fine = series(conf, o.history);
    long fineMillis = WindowAlignment.millis(fine.window());
    String why = o.windows.whyNotNested(fine.window(), fineMillis);
    if (why != null) {
      throw new UsageException("--rollup " + o.windows.text() + " over the history "
          + o.history + " (windows of " + fine.window() + "): " + why);
    }
    HistorySeries coarse = new HistorySeries(fine.format(), fine.reduction(), o.windows.text(),
        fine.posWeight(), fine.segmentType(), fine.frozenPosWeight());
    OutputGuard.check(spark, null, null, List.of(
        new OutputGuard.Output("--history", o.history, OutputManifest.Kind.HISTORY, false),
        new OutputGuard.Output("--rollup-output", o.output, OutputManifest.Kind.HISTORY, false)));
    refuseOtherSeries(conf, o.output, coarse);

    List<Metric> rows;
    // A Delta history is read through its log: its directory also holds the files a replaceWhere
    // removed (until a VACUUM), which read as Parquet would merge replaced windows twice. A Delta
    // table given without --history-format delta is refused by open, naming the option.
    try (HistoryStore source = HistoryStore.open(spark, o.format, o.history, fine, false,
        o.lockWait, out)) {
      rows = source.read();
    }
    requireStates(o.history, rows);
    Map<Long, CoarseWindow> windows = merge(o, rows, fine.window(), fineMillis);

    ZoneId zone = ZoneId.of(spark.conf().get("spark.sql.session.timeZone"));
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Metric> all = new ArrayList<>();
    List<Metric> written = new ArrayList<>();
    List<String> coverage = new ArrayList<>();
    for (CoarseWindow w : windows.values()) {
      Timestamp start = new Timestamp(w.start);
      String date = DATE.format(Instant.ofEpochMilli(w.start).atZone(zone));
      for (MergedWindow s : w.segments.values()) {
        Metric m = s.metric(start, new Timestamp(w.end), date, now);
        all.add(m);
        coverage.add(w.coverage() + (w.complete() ? "" : " partial"));
        if (w.complete() || o.partial) {
          written.add(m);
        }
      }
    }
    written.sort(MetricHistory.ORDER);

    List<Metric> history;
    try (HistoryStore target = HistoryStore.open(spark, o.format, o.output, coarse, false,
        o.lockWait, out)) {
      OutputGuard.claimHistory(conf, o.output);
      history = target.update(written);
      HistoryTable.register(spark, "--rollup-table", o.outputTable, o.output);
    }
    out.print(RollupTable.render(o, fine.window(), all, coverage));
    long partial = windows.values().stream().filter(w -> !w.complete()).count();
    if (partial > 0) {
      out.println(partial + " of " + windows.size() + " windows of " + o.windows.text()
          + " are partial (the history lacks some of their " + fine.window() + " windows): "
          + (o.partial ? "written as they are (--rollup-partial)"
              : "shown, not written (--rollup-partial writes them too)"));
    }
    out.println("rollup: " + TerminalText.escape(o.output) + " (" + written.size()
        + " window rows written, " + history.size() + " in all)");
    return new Result(all, written, history);
  }

  /** The series the history at {@code path} records; a failure if there is none to roll up. */
  private static HistorySeries series(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      HistorySeries s = fs.exists(p) ? HistorySeries.read(fs, p) : null;
      if (s == null) {
        throw new JobFailure("--history " + path + ": " + (fs.exists(p)
            ? "no series record (_series.json) there: not a history of this spark-bce, or empty"
            : "no such history") + "; give the history of a monitor run to roll up");
      }
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + path + ": " + e, e);
    }
  }

  /** A roll-up output already holding another series (other source settings) is refused. */
  private static void refuseOtherSeries(Configuration conf, String path, HistorySeries coarse) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      HistorySeries there = fs.exists(p) ? HistorySeries.read(fs, p) : null;
      List<String> diff = there == null ? List.of() : there.differences(coarse);
      if (!diff.isEmpty()) {
        throw new UsageException("--rollup-output " + path + " holds another series than this "
            + "roll-up: " + String.join("; ", diff).replace("this run", "this roll-up")
            + ". Give another --rollup-output");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e, e);
    }
  }

  /** Rows with elements but no state were written before histories kept it: not exact to merge. */
  private static void requireStates(String history, List<Metric> rows) {
    List<Metric> old = rows.stream().filter(m -> m.elements() > 0 && m.state() == null).toList();
    if (old.isEmpty()) {
      return;
    }
    Metric first = old.get(0);
    Metric last = old.get(old.size() - 1);
    throw new JobFailure("cannot roll up the history " + history + ": " + old.size()
        + " of its " + rows.size() + " window rows have no exact state (column state; rows "
        + "written before histories kept it), from " + WindowText.shown(first.windowStart()) + " ("
        + first.segment() + ") to " + WindowText.shown(last.windowStart()) + " ("
        + last.segment() + "). Their values cannot be merged exactly: recompute those windows "
        + "from the data (monitor --since/--until over them, same settings) and roll up again");
  }

  /** The fine rows by coarse window (in time order), each checked to be a window of the series. */
  private static Map<Long, CoarseWindow> merge(RollupOptions o, List<Metric> rows,
      String fineWindow, long fineMillis) {
    Map<Long, CoarseWindow> out = new TreeMap<>();
    for (Metric m : rows) {
      long s = m.windowStart().getTime();
      if (m.windowEnd().getTime() - s != fineMillis || Math.floorMod(s, fineMillis) != 0) {
        throw new JobFailure("cannot roll up the history " + o.history + ": its row of "
            + m.segment() + " from " + WindowText.shown(m.windowStart()) + " to "
            + WindowText.shown(m.windowEnd()) + " is not one of the series' windows of "
            + fineWindow + ", so it may straddle two roll-up windows");
      }
      long start = o.windows.start(s);
      out.computeIfAbsent(start, k -> new CoarseWindow(k, o.windows.end(k), fineMillis))
          .add(o.history, m);
    }
    return out;
  }
}
