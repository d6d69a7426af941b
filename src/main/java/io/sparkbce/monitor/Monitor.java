package io.sparkbce.monitor;

import static io.sparkbce.job.InputColumns.col;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;

import io.sparkbce.job.Evaluate;
import io.sparkbce.job.EvaluateOptions;
import io.sparkbce.job.EvaluateOptions.PosWeight;
import io.sparkbce.job.InputColumns;
import io.sparkbce.job.InputColumns.Shape;
import io.sparkbce.job.InputData;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.LossCallErrors;
import io.sparkbce.job.Main;
import io.sparkbce.job.Phases;
import io.sparkbce.job.ReasonGroups;
import io.sparkbce.job.ResolvedColumns;
import io.sparkbce.job.TerminalText;
import io.sparkbce.job.TextTable;
import io.sparkbce.job.output.OutputGuard;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.loss.Reduction;
import io.sparkbce.monitor.alert.AlertCheck;
import io.sparkbce.monitor.alert.AlertDispatch;
import io.sparkbce.monitor.alert.Alerts;
import io.sparkbce.monitor.history.HistorySeries;
import io.sparkbce.monitor.history.MetricHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.HistoryStore;
import io.sparkbce.monitor.history.HistoryTable;
import io.sparkbce.monitor.history.Quality;
import io.sparkbce.monitor.report.HtmlReport;
import io.sparkbce.udf.QualityStateFunction;
import java.io.PrintStream;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code monitor}: the loss of a data set per event-time window and segment (the group-by
 * columns), merged into a metric history ({@link MetricHistory}), checked against alert rules
 * ({@link Alerts}) and drawn in an HTML report ({@link HtmlReport}). Exit code 3 when an alert
 * fires.
 */
public final class Monitor {
  public static final int ALERT_EXIT = 3;

  public static final String USAGE = String.join("\n",
      "usage: submit.sh monitor --input PATH|GLOB|TABLE --time-col COL [options]",
      "",
      "All options of evaluate (submit.sh evaluate --help) except --reduction none, plus:",
      "  --time-col COL            event time (TIMESTAMP, DATE or text castable to a timestamp)",
      "  --window DURATION         window length: \"1 day\" (default), \"1 hour\", \"15 minutes\", ...",
      "                            windows start at multiples of the length since 1970-01-01 "
          + "00:00 UTC",
      "  --since TIME --until TIME only rows with since <= time < until (yyyy-MM-dd[ HH:mm[:ss]]);",
      "                            both must be window boundaries",
      "  --history PATH            metric history, Parquet partitioned by window_date "
          + "(default OUTPUT/history);",
      "                            windows computed again replace their previous rows; one",
      "                            writer at a time (a lock file in the history)",
      "  --history-table NAME      the history as a Delta table of the session's catalog",
      "                            ([database.]table; instead of --history; created at the",
      "                            database's location by the first run; alerts.jsonl goes to",
      "                            OUTPUT)",
      "  --history-format FORMAT   parquet (default) or delta: a Delta table, written in one",
      "                            transaction per run (replaceWhere on the windows computed),",
      "                            no lock: a run that conflicts with another exits 75 (retry)",
      "  --as-of VERSION|TIME      Delta history only: print and report the history as it stood",
      "                            at that version or time (input not read, nothing written;",
      "                            report default OUTPUT/report-as-of-VALUE.html)",
      "  --lock-wait DURATION      how long to wait for another run's lock on the history",
      "                            (default 10 minutes; 0: fail at once)",
      "  --pos-weight auto         computed once, over the reference period, and frozen in the",
      "                            history: later runs reuse it, so windows stay comparable",
      "  --reference-since TIME    the reference period of --pos-weight auto (default: the rows",
      "  --reference-until TIME    of the run that starts the history)",
      "  --new-series              start a new series in a history recorded with another",
      "                            reduction, window, pos_weight or group-by (the old rows are",
      "                            kept under HISTORY/_previous/)",
      "  --alert-above X           alert when a window's loss is above X",
      "  --baseline-windows N      alert when a window's loss leaves mean +- K*sigma of the N",
      "  --alert-sigma K           previous windows of its segment (defaults N 7, K 3)",
      "  --alert-change P%         alert when a window's loss changed by more than P% from a",
      "                            reference window of its segment (+P%: rises only, -P%: falls",
      "                            only)",
      "  --alert-change-versus previous|week  the reference: the previous window (default) or",
      "                            the one starting 7 days before (same weekday, UTC)",
      "  --alert-min-rows N        windows with fewer than N rows used are not checked and stay",
      "                            out of baselines and references (default 0)",
      "  --alert-m-of-n M/N        fire only when M of the last N windows of the segment (this",
      "                            one included) break a rule",
      "  --alert-webhook URL       POST the new alerts as JSON (Slack-compatible \"text\" plus",
      "                            \"alerts\"); 3 attempts; a failed delivery is a warning",
      "  --alert-webhook-timeout D connect and answer timeout per attempt (default 10s)",
      "  --report FILE.html        HTML report (default OUTPUT/report.html)",
      "  --stream                  Structured Streaming over the files of --input: new files since",
      "                            the last run, windows emitted once the watermark passes their",
      "                            end (append to the history); runs until the files present are",
      "                            processed (Trigger.AvailableNow), then stops",
      "  --watermark DURATION      with --stream: how late rows may arrive (default: the window)",
      "  --checkpoint DIR          with --stream: query state (default OUTPUT/checkpoint)",
      "  --output DIR              default target/bce-monitor; alerts go to alerts.jsonl next to",
      "                            the history",
      "",
      "Roll-up: submit.sh monitor --rollup DURATION [--history PATH] [options]  (no --input)",
      "  --rollup DURATION         merge the history's windows into windows of DURATION (\"7 days\",",
      "                            \"2 weeks\", \"1 month\": calendar months in UTC) from the exact",
      "                            state each window keeps, without reading the input; aligned as",
      "                            --window DURATION would be, and equal to it bit for bit",
      "  --rollup-output PATH      where they go, a history of their own (default",
      "                            HISTORY-rollup-7-days beside --history)",
      "  --rollup-partial          also write windows the history covers only in part (shown with",
      "                            how many of their windows it has; by default not written)",
      "  --history-format FORMAT   delta for a Delta history (read at its latest version); the",
      "                            roll-up output is then a Delta table too",
      "  --history-table NAME      a Delta history by its catalog name; the roll-up goes to the",
      "                            table NAME_rollup_7_days (--rollup-table NAME2 to choose)",
      "",
      Main.EXIT_CODES + " 3: an alert fired. 75: another run changed the Delta history at the",
      "same time, or held the history's lock longer than --lock-wait; nothing of this run was",
      "written (retry).");

  private Monitor() {}

  /** What a run produced. */
  public static final class Result {
    public final List<Metric> computed;
    public final List<Metric> history;
    public final List<Alerts.Alert> alerts;
    public final String reportPath;

    Result(List<Metric> computed, List<Metric> history, List<Alerts.Alert> alerts,
        String reportPath) {
      this.computed = computed;
      this.history = history;
      this.alerts = alerts;
      this.reportPath = reportPath;
    }

    public int exitCode() {
      return alerts.isEmpty() ? 0 : ALERT_EXIT;
    }
  }

  public static Result run(SparkSession spark, MonitorOptions m, PrintStream out) {
    return run(spark, m, out, System.err);
  }

  /** Runs monitor; warnings (a failed webhook delivery) go to {@code err}. */
  public static Result run(SparkSession spark, MonitorOptions m, PrintStream out,
      PrintStream err) {
    m.resolveHistoryTable(spark);
    if (m.asOf != null) {
      return AsOfReport.run(spark, m, out);
    }
    EvaluateOptions o = m.eval;
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    PosWeight posWeightSpec = PosWeight.parse(o.posWeight, hadoop);
    InputData in = InputData.load(spark, o);
    OutputGuard.check(spark, in, o.input, outputs(m));
    Dataset<Row> df = in.df;
    ResolvedColumns cols = ResolvedColumns.resolve(spark, df, o);
    boolean caseSensitive =
        Boolean.parseBoolean(spark.conf().get("spark.sql.caseSensitive", "false"));
    String timeName =
        InputColumns.resolve("--time-col", m.timeCol, df.columns(), caseSensitive);
    String logitsName = cols.logits;
    List<String> groupBy = cols.groupBy;
    Shape xs = cols.xs;
    Shape ys = cols.ys;
    Shape ws = cols.ws;
    String red = o.reduction.sqlName();
    WindowAlignment.check(m.window, m.since, m.until,
        java.time.ZoneId.of(spark.conf().get("spark.sql.session.timeZone")));
    HistorySeries series = HistorySeries.of(red, m.window, posWeightSpec,
        segmentType(df, groupBy), m.referenceSince, m.referenceUntil);

    try (HistoryStore open = HistoryStore.open(spark, m.historyFormat, m.history, series,
        m.newSeries, m.lockWait, out)) {
      // claimed under the lock, so that a second writer waiting for it finds the history ours
      OutputGuard.claimHistory(hadoop, m.history);
      String timeTs = Evaluate.uniqueName("_bce_time", List.of(df.columns()));
      // the names after the time column is added (no Dataset built for them: each is analysed)
      List<String> withTime = new ArrayList<>(List.of(df.columns()));
      withTime.add(timeTs);
      String reasonName = Evaluate.uniqueName("_bce_invalid", withTime);
      Column x = cols.x();
      Column y = cols.y();
      Column w = cols.w();
      java.util.Map<String, Column> added = new LinkedHashMap<>();
      added.put(timeTs, col(timeName).cast(DataTypes.TimestampType));
      added.put(reasonName, InputColumns.reason(x, xs, y, ys, w, ws));
      // both columns in one projection: one analysis of the plan instead of two
      java.util.function.UnaryOperator<Dataset<Row>> prepare =
          d -> Evaluate.where(d, o.where).withColumns(added);
      Dataset<Row> stream = null;
      if (m.stream) {
        stream = period(prepare.apply(spark.readStream().schema(df.schema()).format(in.format)
            .load(o.input.trim())), timeTs, m.since, m.until).withWatermark(timeTs, m.watermark);
      }
      Dataset<Row> all = prepare.apply(df);
      df = period(all, timeTs, m.since, m.until);
      Column reason = col(reasonName);
      Column[] valid = cols.validOnly(reason, o.invalid);
      Column gx = valid[0];
      Column gy = valid[1];

      String job = "spark-bce monitor " + o.input;
      double[] posWeight = null;
      if (posWeightSpec.auto) {
        posWeight = open.frozenPosWeight();
        if (posWeight == null) {
          Phases.begin(spark, job, "computing pos_weight");
          boolean reference = m.referenceSince != null || m.referenceUntil != null;
          posWeight = ResolvedColumns.posWeightFromLabels(
              reference ? period(all, timeTs, m.referenceSince, m.referenceUntil) : df, gy);
          if (posWeight != null) {
            open.freezePosWeight(posWeight);
          }
        }
      } else if (posWeightSpec.values != null) {
        posWeight = posWeightSpec.values;
      }
      if (posWeight != null && posWeight.length != 1) {
        Phases.begin(spark, job, "counting classes");
        cols.requirePosWeightSize(posWeight, Evaluate.classCount(df, reason, x, xs.rank()));
      }

      List<Column> aggs = ReasonGroups.counts(gx, xs.rank());
      // one aggregate, whatever the number of classes: the exact state every value comes from
      aggs.add(QualityStateFunction.of(spark, gx, gy, w, posWeight).as("_state"));
      double[] posWeightUsed = posWeight;
      List<Column> by = new ArrayList<>();
      by.add(org.apache.spark.sql.functions.window(col(timeTs), m.window).as("_window"));
      for (String g : groupBy) {
        by.add(col(g));
      }
      // Rows counted by invalid reason in the same pass (see ReasonGroups): the reason is the
      // last key, folded away on the driver. Adaptive execution stays as the session has it:
      // it runs the final stage as a job of its own, but with it off the final stage is
      // spark.sql.shuffle.partitions tasks; A/B in one JVM, interleaved rounds (2026-12-02,
      // loaded machine), off was no faster (best 1.45 s against 1.17 s, driver thread CPU median
      // 86 against 80 ms), and turning it off for one query would change a setting the session's
      // other queries share.
      java.util.function.BiFunction<Dataset<Row>, List<Column>, Dataset<Row>> grouped =
          (d, keys) -> {
            List<Column> byReason = new ArrayList<>(keys);
            byReason.add(reason);
            return d.groupBy(byReason.toArray(new Column[0]))
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
          };
      // The aggregated rows all go to the driver, in any order: the metrics are sorted there.
      java.util.function.BiFunction<Dataset<Row>, Integer, List<ReasonGroups.Group>> fold =
          (d, keys) -> ReasonGroups.foldAnyOrder(ReasonGroups.collect(d), keys, reasonName,
              xs.rank());
      List<Metric> computed;
      long noTime = 0;
      if (stream != null) {
        computed = new ArrayList<>();
        List<Metric> batches = computed;
        Phases.begin(spark, job, "evaluating the stream");
        org.apache.spark.sql.streaming.StreamingQuery q = dated(grouped.apply(stream, by))
            .writeStream()
            .outputMode("append")
            .option("checkpointLocation", m.checkpoint)
            .trigger(org.apache.spark.sql.streaming.Trigger.AvailableNow())
            .foreachBatch((org.apache.spark.api.java.function.VoidFunction2<Dataset<Row>, Long>)
                (batch, batchId) -> {
                  List<Metric> ms = metrics(fold.apply(batch, by.size()), groupBy, o.reduction,
                      posWeightUsed);
                  open.update(ms);
                  batches.addAll(ms);
                })
            .start();
        q.awaitTermination();
        if (q.exception().isDefined()) {
          throw q.exception().get();
        }
      } else {
        Phases.begin(spark, job, "evaluating (" + red + " loss per window)");
        String startName = Evaluate.uniqueName("_bce_window_start", List.of(df.columns()));
        List<ReasonGroups.Group> result = new ArrayList<>();
        for (ReasonGroups.Group g : fold.apply(windowRows(grouped.apply(df,
            batchKeys(by, col(timeTs), m.window, startName)), m.window, startName), by.size())) {
          if (g.keys.isNullAt(0)) {
            noTime += g.rows;
          } else {
            result.add(g);
          }
        }
        computed = metrics(result, groupBy, o.reduction, posWeight);
      }
      computed.sort(MetricHistory.ORDER);

      Phases.begin(spark, job, "writing the history");
      List<Metric> history = m.stream ? open.read() : open.update(computed);
      HistoryTable.register(spark, "--history-table", m.historyTable, m.history);


      AlertCheck.Result checked = AlertCheck.run(history, computed, m.alerting);
      List<Alerts.Alert> alerts = checked.alerts();
      open.checkHeld();
      AlertDispatch sent = AlertDispatch.send(hadoop, m.alerts, checked, m.alerting, o.input);
      HtmlReport.write(hadoop, m.report, m, history);

      Phases.end(spark);
      out.print(table(m, computed, alerts, noTime));
      out.println("history: " + TerminalText.escape(m.history) + " (" + computed.size() + " window rows written, "
          + history.size() + " in all)");
      sent.print(out, err);
      out.println("pos_weight: " + posWeightLine(posWeightSpec, open.series(), posWeight));
      out.println("report: " + TerminalText.escape(m.report));
      return new Result(computed, history, alerts, m.report);
    } catch (Exception e) {
      throw JobFailure.translate(e, new LossCallErrors(cols, "monitor"));
    } finally {
      Phases.end(spark);
    }
  }

  /** Which pos_weight the windows of this run used, and where it came from. */
  private static String posWeightLine(PosWeight spec, HistorySeries series, double[] used) {
    if (used == null) {
      return spec.auto ? "auto, but no valid labels yet (none used)" : "none";
    }
    String values = used.length <= 5 ? java.util.Arrays.toString(used)
        : used.length + " values, " + java.util.Arrays.toString(
            java.util.Arrays.copyOf(used, 5)).replace("]", ", ...]");
    return spec.auto ? series.posWeight() + ", frozen in the history: " + values : values;
  }

  /**
   * The batch run's grouping keys: {@code by} with the window replaced by its start, a timestamp
   * (a key the columnar aggregation reads from its vector, where the window's struct would be
   * built and compared row by row), NULL for a row without a time. window() drops such rows; the
   * start of the window of a stand-in time keeps them, counted in the same pass.
   */
  private static List<Column> batchKeys(List<Column> by, Column time, String window,
      String startName) {
    List<Column> keys = new ArrayList<>(by);
    keys.set(0, when(time.isNotNull(), org.apache.spark.sql.functions.window(
        coalesce(time, timestamp_seconds(lit(0L))), window).getField("start"))
        .as(startName));
    return keys;
  }

  /**
   * The aggregated rows of {@link #batchKeys} with the window struct back in first place (NULL
   * for the rows without a time), as the stream's rows have it: the window of a window's start
   * is that window.
   */
  private static Dataset<Row> windowRows(Dataset<Row> grouped, String window, String startName) {
    Column start = col(startName);
    List<Column> columns = new ArrayList<>();
    columns.add(when(start.isNotNull(), org.apache.spark.sql.functions.window(
        coalesce(start, timestamp_seconds(lit(0L))), window)).as("_window"));
    for (String c : grouped.columns()) {
      if (!c.equals(startName)) {
        columns.add(col(c));
      }
    }
    // the date from the start itself, in the same projection: the window's start is the start
    columns.add(windowDate(start));
    return grouped.select(columns.toArray(new Column[0]));
  }

  /** {@code d} with the date of its window's start, the history's partition. */
  private static Dataset<Row> dated(Dataset<Row> d) {
    return d.withColumn("_date", windowDate(col("_window").getField("start")));
  }

  /** The history's partition of a window: the date of its start (batch and stream alike). */
  private static Column windowDate(Column start) {
    return date_format(start, "yyyy-MM-dd").as("_date");
  }

  /** The rows of {@code d} with since <= time < until (either bound may be null: open). */
  private static Dataset<Row> period(Dataset<Row> d, String timeTs, String since, String until) {
    if (since != null) {
      d = d.where(col(timeTs).geq(lit(since).cast(DataTypes.TimestampType)));
    }
    if (until != null) {
      d = d.where(col(timeTs).lt(lit(until).cast(DataTypes.TimestampType)));
    }
    return d;
  }

  /** What a run writes: the history, the alerts beside it, the report (and the checkpoint). */
  private static List<OutputGuard.Output> outputs(MonitorOptions m) {
    List<OutputGuard.Output> out = new ArrayList<>();
    out.add(new OutputGuard.Output("--history", m.history, OutputManifest.Kind.HISTORY, false));
    out.add(new OutputGuard.Output("--history", "the alerts beside --history",
        m.alerts, OutputManifest.Kind.FILE, false));
    out.add(new OutputGuard.Output("--report", m.report, OutputManifest.Kind.FILE, false));
    if (m.stream) {
      out.add(new OutputGuard.Output("--checkpoint", m.checkpoint, null, false));
    }
    return out;
  }

  /** The group-by columns with their input types: the type of a segment's values. */
  private static StructType segmentType(Dataset<Row> df, List<String> groupBy) {
    StructType t = new StructType();
    for (String g : groupBy) {
      t = t.add(g, df.schema().apply(g).dataType(), true);
    }
    return t;
  }

  /** The collected rows of the aggregation as metrics. */
  private static List<Metric> metrics(List<ReasonGroups.Group> result, List<String> groupBy,
      Reduction red, double[] posWeight) {
    Timestamp now = new Timestamp(System.currentTimeMillis());
    List<Metric> computed = new ArrayList<>();
    for (ReasonGroups.Group g : result) {
      Row win = g.keys.getStruct(0);
      Object[] values = new Object[groupBy.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = g.keys.get(i + 1);
      }
      Row segment = groupBy.isEmpty() ? null : RowFactory.create(values);
      Row r = g.losses;
      int st = r.fieldIndex("_state");
      computed.add(Metric.of(win.getTimestamp(0), win.getTimestamp(1),
          SegmentLabel.of(groupBy, segment), segment, red, g.rows, g.used,
          new LinkedHashMap<>(g.skipped), g.elements, posWeight,
          r.isNullAt(st) ? null : (byte[]) r.get(st), now, r.getString(r.fieldIndex("_date"))));
    }
    return computed;
  }

  static String table(MonitorOptions m, List<Metric> computed, List<Alerts.Alert> alerts,
      long noTime) {
    StringBuilder b = new StringBuilder();
    EvaluateOptions o = m.eval;
    b.append("spark-bce monitor: ").append(TerminalText.escape(o.input)).append(", windows of ")
        .append(m.window).append(" on ").append(TerminalText.escape(m.timeCol))
        .append(m.since == null ? "" : ", since " + m.since)
        .append(m.until == null ? "" : ", until " + m.until)
        .append(o.where == null ? "" : ", where " + TerminalText.escape(o.where)).append('\n');
    if (noTime > 0) {
      b.append("rows without a time (skipped): ").append(TextTable.count(noTime)).append('\n');
    }
    b.append('\n');
    TextTable t = new TextTable(List.of("window start", "segment", "rows used", "skipped",
        "elements", "loss (" + o.reduction.sqlName() + ")", "weighted_mean", "NE", "calibration",
        "positive rate", "alert"));
    for (int i = 2; i < 10; i++) {
      t.alignRight(i);
    }
    for (Metric mt : computed) {
      String alert = alerts.stream().filter(a -> a.metric() == mt).map(Alerts.Alert::kind)
          .reduce((a1, a2) -> a1 + "," + a2).orElse("");
      t.add(List.of(mt.windowStart().toString().replaceAll("\\.0$", ""), mt.segment(),
          TextTable.count(mt.rowsUsed()), TextTable.count(mt.rowsSkipped()),
          TextTable.count(mt.elements()), TextTable.number(mt.loss()),
          TextTable.number(mt.weightedMeanLoss()), quality(mt, Quality::normalizedEntropy),
          quality(mt, Quality::calibration), quality(mt, Quality::positiveRate), alert));
    }
    b.append(t.render()).append('\n');
    return b.toString();
  }

  private static String quality(Metric mt, java.util.function.Function<Quality, Double> value) {
    return TextTable.number(mt.quality() == null ? null : value.apply(mt.quality()));
  }
}
