package io.sparkbce.monitor;

import io.sparkbce.job.Evaluate;
import io.sparkbce.job.EvaluateOptions;
import io.sparkbce.job.Options;
import io.sparkbce.job.UsageException;
import io.sparkbce.loss.Reduction;
import io.sparkbce.monitor.alert.AlertOptions;
import io.sparkbce.monitor.history.HistoryStore;
import io.sparkbce.monitor.history.HistoryTable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of {@code monitor}: every option of {@code evaluate} (parsed and checked by {@link
 * EvaluateOptions}, config-file keys included) plus the monitoring ones.
 */
public final class MonitorOptions {
  static final Set<String> VALUED = Set.of("time-col", "window", "history", "since", "until",
      "alert-above", "baseline-windows", "alert-sigma", "report", "watermark", "checkpoint",
      "lock-wait", "reference-since", "reference-until", "history-format", "as-of", "history-table");
  public static final String DEFAULT_OUTPUT = "target/bce-monitor";
  static final int DEFAULT_BASELINE_WINDOWS = 7;
  static final double DEFAULT_SIGMA = 3.0;
  public static final java.time.Duration DEFAULT_LOCK_WAIT = java.time.Duration.ofMinutes(10);
  private static final Pattern WINDOW = Pattern.compile(
      "\\s*(\\d+)\\s*(second|minute|hour|day|week)s?\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern TIME = Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?");

  /** The evaluate options (input, columns, pos_weight, reduction, group-by, where, invalid...). */
  public EvaluateOptions eval;
  public String timeCol;
  /** Spark interval text, e.g. "1 day". */
  public String window = "1 day";
  /** The history's path; with --history-table, null until {@link #resolveHistoryTable}. */
  public String history;
  /** --history-table: a Delta history by its catalog name; null for a path. */
  public String historyTable;
  public String alerts;
  public String report;
  public String since;
  public String until;
  /** --pos-weight auto over this period (either bound may be open), frozen in the history. */
  public String referenceSince;
  public String referenceUntil;
  public Double alertAbove;
  /** 0 = no baseline alerts. */
  public int baselineWindows;
  public double alertSigma = DEFAULT_SIGMA;
  /** All the alerting options (rules, guard, M-of-N, webhook), those three above included. */
  public AlertOptions alerting = AlertOptions.none();
  public boolean help;
  /** Structured Streaming over the files of --input (Trigger.AvailableNow). */
  public boolean stream;
  public String watermark;
  public String checkpoint;
  /** How long to wait for another writer's lock on the history. */
  public java.time.Duration lockWait = DEFAULT_LOCK_WAIT;
  /** Start a new series in a history recorded with other settings. */
  public boolean newSeries;
  /** How the history is stored: Parquet (default) or Delta. */
  public HistoryStore.Format historyFormat = HistoryStore.Format.PARQUET;
  /** Render the report from the Delta history as of this version or time; null: a normal run. */
  public String asOf;

  public static MonitorOptions parse(String... args) {
    Set<String> valued = new HashSet<>(EvaluateOptions.VALUED);
    valued.addAll(VALUED);
    valued.addAll(AlertOptions.VALUED);
    Set<String> flags = new HashSet<>(EvaluateOptions.FLAGS);
    flags.add("stream");
    flags.add("new-series");
    Options o = Options.parse(args, valued, flags, "config");
    MonitorOptions m = new MonitorOptions();
    m.help = o.flag("help");
    if (m.help) {
      return m;
    }
    if (!o.positional().isEmpty()) {
      throw new UsageException("monitor takes no positional arguments, got '"
          + o.positional().get(0) + "' (options are --name value)");
    }
    // evaluate's own parsing and checks, over the merged (config + command line) values
    List<String> evalArgs = new ArrayList<>();
    for (String k : EvaluateOptions.VALUED) {
      if (!k.equals("config") && o.get(k) != null) {
        evalArgs.add("--" + k + "=" + o.get(k));
      }
    }
    for (String f : EvaluateOptions.FLAGS) {
      if (o.flag(f)) {
        evalArgs.add("--" + f);
      }
    }
    try {
      m.eval = EvaluateOptions.parse(evalArgs.toArray(new String[0]));
    } catch (UsageException e) {
      throw new UsageException(e.getMessage().replaceFirst("^evaluate ", "monitor "), e);
    }
    if (m.eval.reduction == Reduction.NONE) {
      throw new UsageException("monitor needs a reduction of mean, sum or weighted_mean "
          + "(--reduction none writes per-row losses: use evaluate)");
    }
    if (o.get("output") == null) {
      m.eval.output = DEFAULT_OUTPUT;
    }
    m.timeCol = o.get("time-col");
    if (m.timeCol == null) {
      throw new UsageException("monitor needs --time-col (the event-time column: TIMESTAMP, "
          + "DATE or a string Spark can cast to a timestamp)");
    }
    m.window = window("window", o.get("window", m.window));
    m.history = o.get("history", Evaluate.child(m.eval.output, "history"));
    String h = m.history.replaceAll("/+$", "");
    int slash = h.lastIndexOf('/');
    m.alerts = slash < 0 ? "alerts.jsonl" : h.substring(0, slash + 1) + "alerts.jsonl";
    m.historyTable = historyTable(o);
    if (m.historyTable != null) {
      m.history = null;
      m.historyFormat = HistoryStore.Format.DELTA;
      // not beside the table, in the catalog's warehouse
      m.alerts = Evaluate.child(m.eval.output, "alerts.jsonl");
    }
    m.report = o.get("report", Evaluate.child(m.eval.output, "report.html"));
    historyOptions(m, o);
    m.since = time("since", o.get("since"));
    m.until = time("until", o.get("until"));
    m.referenceSince = time("reference-since", o.get("reference-since"));
    m.referenceUntil = time("reference-until", o.get("reference-until"));
    boolean auto = m.eval.posWeight != null && m.eval.posWeight.trim().equalsIgnoreCase("auto");
    if ((m.referenceSince != null || m.referenceUntil != null) && !auto) {
      throw new UsageException("--reference-since and --reference-until choose the rows of "
          + "--pos-weight auto; give --pos-weight auto, or leave them out");
    }
    if (o.get("alert-above") != null) {
      m.alertAbove = number("alert-above", o.get("alert-above"));
    }
    boolean sigmaGiven = o.get("alert-sigma") != null;
    m.baselineWindows = o.intValue("baseline-windows", sigmaGiven ? DEFAULT_BASELINE_WINDOWS : 0);
    if (o.get("baseline-windows") != null && m.baselineWindows < 2) {
      throw new UsageException("--baseline-windows needs at least 2 windows (for a standard "
          + "deviation), got " + m.baselineWindows);
    }
    if (sigmaGiven) {
      m.alertSigma = number("alert-sigma", o.get("alert-sigma"));
      if (!(m.alertSigma > 0)) {
        throw new UsageException("--alert-sigma must be positive, got " + o.get("alert-sigma"));
      }
    }
    m.alerting = AlertOptions.parse(o, m.alertAbove, m.baselineWindows, m.alertSigma,
        WindowAlignment.millis(m.window));
    m.stream = o.flag("stream");
    m.newSeries = o.flag("new-series");
    if (o.get("lock-wait") != null) {
      m.lockWait = lockWait(o.get("lock-wait"));
    }
    m.watermark = window("watermark", o.get("watermark", m.window));
    m.checkpoint = o.get("checkpoint", Evaluate.child(m.eval.output, "checkpoint"));
    if (m.stream && m.eval.posWeight != null && m.eval.posWeight.trim().equalsIgnoreCase("auto")) {
      throw new UsageException("--pos-weight auto needs all the data at once; with --stream give "
          + "the values (--pos-weight 1.0,3.0,... or @file)");
    }
    if (!m.stream && (o.get("watermark") != null || o.get("checkpoint") != null)) {
      throw new UsageException("--watermark and --checkpoint go with --stream");
    }
    return m;
  }

  /**
   * {@code --history-table NAME}: a Delta history named in the session's catalog, instead of
   * {@code --history PATH}; it implies {@code --history-format delta}. Null when not given.
   */
  public static String historyTable(Options o) {
    String name = o.get("history-table");
    if (name == null) {
      return null;
    }
    if (o.get("history") != null) {
      throw new UsageException("give --history PATH or --history-table NAME, not both");
    }
    if (o.get("history-format") != null
        && HistoryStore.Format.of(o.get("history-format")) != HistoryStore.Format.DELTA) {
      throw new UsageException("--history-table names a Delta table; --history-format "
          + o.get("history-format").trim() + " does not go with it");
    }
    if (name.isBlank()) {
      throw new UsageException("--history-table needs a table name ([database.]table)");
    }
    return name.trim();
  }

  /** With --history-table, the table's location becomes the history path (needs the session). */
  public void resolveHistoryTable(org.apache.spark.sql.SparkSession spark) {
    if (historyTable != null && history == null) {
      history = HistoryTable.location(spark, "--history-table", historyTable);
    }
  }

  /** Whether the history is a Delta table (the session then needs Delta's extension). */
  public boolean deltaHistory() {
    return historyFormat == HistoryStore.Format.DELTA;
  }

  /**
   * --history-format and --as-of. With --as-of the report goes by default to
   * OUTPUT/report-as-of-VALUE.html, beside (not over) the current one.
   */
  private static void historyOptions(MonitorOptions m, Options o) {
    if (o.get("history-format") != null) {
      m.historyFormat = HistoryStore.Format.of(o.get("history-format"));
    }
    if (o.get("as-of") == null) {
      return;
    }
    String asOf = o.get("as-of").trim();
    if (!m.deltaHistory()) {
      throw new UsageException("--as-of reads a past version of a Delta history (--history-format "
          + "delta); a Parquet history keeps no versions");
    }
    if (!asOf.matches("\\d+")) {
      asOf = time("as-of", asOf);
    }
    if (o.flag("stream") || o.flag("new-series")) {
      throw new UsageException("--as-of only reads the history: it does not go with --stream or "
          + "--new-series");
    }
    m.asOf = asOf;
    if (o.get("report") == null) {
      m.report = Evaluate.child(m.eval.output,
          "report-as-of-" + asOf.replaceAll("[^0-9A-Za-z]+", "-") + ".html");
    }
  }

  /** {@code --lock-wait}: a duration, or 0 (fail at once). */
  public static java.time.Duration lockWait(String text) {
    String w = text.trim();
    return w.matches("0+(\\s*(second|minute|hour)s?)?") ? java.time.Duration.ZERO
        : java.time.Duration.ofMillis(WindowAlignment.millis(window("lock-wait", w)));
  }

  /** Normalizes "1 day", "2 hours", "15minutes" to Spark's interval text; else a usage error. */
  public static String window(String option, String text) {
    Matcher mt = WINDOW.matcher(text);
    if (!mt.matches() || Long.parseLong(mt.group(1)) < 1) {
      throw new UsageException("--" + option + " '" + text + "' is not a duration; use e.g. \"1 day\", "
          + "\"6 hours\", \"15 minutes\", \"1 week\"");
    }
    return Long.parseLong(mt.group(1)) + " " + mt.group(2).toLowerCase(Locale.ROOT)
        + (Long.parseLong(mt.group(1)) == 1 ? "" : "s");
  }

  private static String time(String option, String v) {
    if (v == null) {
      return null;
    }
    String t = v.trim();
    if (!TIME.matcher(t).matches()) {
      throw new UsageException("--" + option + " '" + v + "' is not a date or time; use "
          + "yyyy-MM-dd or yyyy-MM-dd HH:mm[:ss]");
    }
    return t.replace('T', ' ');
  }

  private static double number(String option, String v) {
    try {
      double d = Double.parseDouble(v.trim());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " needs a number, got '" + v + "'");
    }
  }
}
