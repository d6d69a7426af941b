package io.sparkbce.monitor.rollup;

import io.sparkbce.job.Evaluate;
import io.sparkbce.job.Options;
import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.MonitorOptions;
import io.sparkbce.monitor.history.HistoryStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of {@code monitor --rollup}: the coarse windows, the history they are merged from
 * and where they go. No input: a roll-up reads only the exact states the history keeps, so the
 * options of the data pass (--input, --time-col, --window, ...) are refused rather than ignored.
 */
public final class RollupOptions {
  static final Set<String> VALUED =
      Set.of("rollup", "history", "history-format", "history-table", "output", "rollup-output",
          "rollup-table", "lock-wait");
  static final Set<String> FLAGS = Set.of("rollup-partial", "help");

  public CoarseWindows windows;
  /** The history read (its lock is taken while reading). */
  public String history;
  /** Where the rolled-up windows go: a metric history of their own. */
  public String output;
  /** --history-table: the history by its catalog name (then {@link #history} is its location). */
  public String historyTable;
  /** The roll-up's catalog name, with --history-table unless --rollup-output gives a path. */
  public String outputTable;
  /** How the history and the roll-up output are stored: the output takes the history's format. */
  public HistoryStore.Format format = HistoryStore.Format.PARQUET;
  /** Write coarse windows the history covers only in part, too. */
  public boolean partial;
  public Duration lockWait = MonitorOptions.DEFAULT_LOCK_WAIT;
  public boolean help;

  /** Whether {@code monitor}'s arguments ask for a roll-up. */
  public static boolean requested(String[] args) {
    return Arrays.stream(args).anyMatch(a -> a.equals("--rollup") || a.startsWith("--rollup="));
  }

  public static RollupOptions parse(String... args) {
    for (String a : args) {
      String name = a.startsWith("--") ? a.substring(2).replaceFirst("=.*", "") : null;
      if (name != null && !VALUED.contains(name) && !FLAGS.contains(name)) {
        Set<String> valid = new TreeSet<>(VALUED);
        valid.addAll(FLAGS);
        throw new UsageException("--" + name + " does not go with --rollup: a roll-up reads only "
            + "the history (the exact state each window keeps), not the input; its options are --"
            + String.join(", --", valid));
      }
    }
    Options o = Options.parse(args, VALUED, FLAGS, null);
    RollupOptions r = new RollupOptions();
    r.help = o.flag("help");
    if (r.help) {
      return r;
    }
    if (!o.positional().isEmpty()) {
      throw new UsageException("monitor takes no positional arguments, got '"
          + o.positional().get(0) + "' (options are --name value)");
    }
    r.windows = CoarseWindows.parse(o.get("rollup"));
    r.history = o.get("history",
        Evaluate.child(o.get("output", MonitorOptions.DEFAULT_OUTPUT), "history"));
    r.output = o.get("rollup-output", r.history.replaceAll("/+$", "") + "-rollup-"
        + r.windows.text().replace(' ', '-'));
    r.partial = o.flag("rollup-partial");
    if (o.get("history-format") != null) {
      r.format = HistoryStore.Format.of(o.get("history-format"));
    }
    r.historyTable = MonitorOptions.historyTable(o);
    if (r.historyTable != null) {
      r.format = HistoryStore.Format.DELTA;
      r.history = null;
      r.output = o.get("rollup-output");
      if (r.output == null) {
        String suffix = "_rollup_" + r.windows.text().replace(' ', '_');
        r.outputTable = o.get("rollup-table", r.historyTable.endsWith("`")
            ? r.historyTable.substring(0, r.historyTable.length() - 1) + suffix + "`"
            : r.historyTable + suffix);
      } else if (o.get("rollup-table") != null) {
        throw new UsageException("give --rollup-output PATH or --rollup-table NAME, not both");
      }
    } else if (o.get("rollup-table") != null) {
      throw new UsageException("--rollup-table goes with --history-table (a history named in the "
          + "catalog); with --history PATH give --rollup-output PATH");
    }
    if (o.get("lock-wait") != null) {
      r.lockWait = MonitorOptions.lockWait(o.get("lock-wait"));
    }
    return r;
  }
}
