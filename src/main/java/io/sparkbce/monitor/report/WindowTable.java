package io.sparkbce.monitor.report;

import io.sparkbce.job.TextTable;
import io.sparkbce.monitor.alert.Alerts;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.Quality;
import java.util.List;
import java.util.Map;

/**
 * Every window row of the history as a table, newest first, up to {@link #MAX_ROWS} rows (a
 * history of hourly windows over years); above that the oldest rows are left out and the report
 * says how many. Hooks: {@code table#windows}, {@code tr.window} ({@code tr.window.alert} for a
 * row that breaks a rule), {@code p#windows-shown}.
 */
final class WindowTable {
  static final int MAX_ROWS = 5000;

  private WindowTable() {}

  /** {@code alerts}: the rules each row breaks ("threshold, baseline"), by {@link Metric#key}. */
  static void render(StringBuilder b, List<Metric> history, Map<String, String> alerts,
      Map<String, Alerts.Band> bands) {
    int shown = Math.min(MAX_ROWS, history.size());
    b.append("<section id=\"windows-section\">\n<h2>Windows</h2>\n<p class=\"muted\" ")
        .append("id=\"windows-shown\">").append(shown == history.size() ? "All " + shown
            + " window rows of the history, newest first."
            : "The newest " + shown + " of " + history.size() + " window rows; the "
            + (history.size() - shown) + " oldest are not shown (see the history itself).")
        .append("</p>\n<table id=\"windows\">\n<thead><tr>")
        .append("<th>window start (UTC)</th><th>window end (UTC)</th><th>segment</th>")
        .append("<th>rows used</th><th>rows skipped</th><th>elements</th><th>loss</th>")
        .append("<th>weighted mean</th><th>NE</th><th>calibration</th><th>positive rate</th>")
        .append("<th>baseline</th><th>alert</th></tr></thead>\n<tbody>\n");
    for (int i = history.size() - 1; i >= history.size() - shown; i--) {
      Metric mt = history.get(i);
      Alerts.Band band = bands.get(mt.key());
      String as = alerts.getOrDefault(mt.key(), "");
      Quality q = mt.quality() == null ? new Quality(null, null, null, null) : mt.quality();
      b.append("<tr class=\"window").append(as.isEmpty() ? "" : " alert")
          .append("\"><td class=\"time\">").append(Svg.utc(mt.windowStart().getTime()))
          .append("</td><td class=\"time\">").append(Svg.utc(mt.windowEnd().getTime()))
          .append("</td><td>")
          .append(Svg.esc(mt.segment())).append("</td>");
      cells(b, Long.toString(mt.rowsUsed()), Long.toString(mt.rowsSkipped()),
          Long.toString(mt.elements()), TextTable.number(mt.loss()),
          TextTable.number(mt.weightedMeanLoss()), TextTable.number(q.normalizedEntropy()),
          TextTable.number(q.calibration()), TextTable.number(q.positiveRate()));
      b.append("<td>").append(band == null ? "" : Svg.num(band.lower()) + " .. "
          + Svg.num(band.upper())).append("</td><td>")
          .append(Svg.esc(as))
          .append("</td></tr>\n");
    }
    b.append("</tbody>\n</table>\n</section>\n");
  }

  private static void cells(StringBuilder b, String... numbers) {
    for (String n : numbers) {
      b.append("<td class=\"num\">").append(Svg.esc(n)).append("</td>");
    }
  }
}
