package io.sparkbce.monitor.rollup;

import io.sparkbce.job.TerminalText;
import io.sparkbce.job.TextTable;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.Quality;
import java.util.List;
import java.util.function.Function;

/** The rolled-up windows as monitor prints its windows, with how many fine windows each merged. */
final class RollupTable {
  private RollupTable() {}

  /** {@code coverage} is, per metric, "merged/spanned" fine windows and whether it is partial. */
  static String render(RollupOptions o, String fineWindow, List<Metric> rolledUp,
      List<String> coverage) {
    StringBuilder b = new StringBuilder();
    b.append("spark-bce monitor: roll-up of ").append(TerminalText.escape(o.history))
        .append(" (windows of ").append(fineWindow).append(") into windows of ")
        .append(o.windows.text()).append("\n\n");
    String reduction = rolledUp.isEmpty() ? "" : rolledUp.get(0).reduction();
    TextTable t = new TextTable(List.of("window start", "segment", "windows", "rows used",
        "skipped", "elements", "loss (" + reduction + ")", "weighted_mean", "NE",
        "calibration", "positive rate"));
    for (int i = 2; i < 11; i++) {
      t.alignRight(i);
    }
    for (int i = 0; i < rolledUp.size(); i++) {
      Metric m = rolledUp.get(i);
      t.add(List.of(WindowText.shown(m.windowStart()), m.segment(), coverage.get(i),
          TextTable.count(m.rowsUsed()), TextTable.count(m.rowsSkipped()),
          TextTable.count(m.elements()), TextTable.number(m.loss()),
          TextTable.number(m.weightedMeanLoss()), quality(m, Quality::normalizedEntropy),
          quality(m, Quality::calibration), quality(m, Quality::positiveRate)));
    }
    b.append(t.render()).append('\n');
    return b.toString();
  }

  private static String quality(Metric m, Function<Quality, Double> value) {
    return TextTable.number(m.quality() == null ? null : value.apply(m.quality()));
  }
}
