package io.sparkbce.monitor.report;

import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.monitor.MonitorOptions;
import io.sparkbce.monitor.alert.AlertCheck;
import io.sparkbce.monitor.alert.Alerts;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.Quality;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * The HTML report of {@code monitor}: one self-contained file (inline CSS and SVG, no scripts, no
 * network). All times are UTC. Per window and segment: the loss with the baseline band, threshold
 * and alert markers; normalized entropy; calibration; positive rate; rows used; rows skipped; the
 * loss of each class over the windows (small multiples); the per-class loss of the latest window;
 * every window in a table.
 *
 * <p>Stable hooks: {@code section#ID} around each part, {@code svg.chart#ID-chart} (see {@link
 * LineChart}), {@code ul.legend[data-chart]}, {@code table#windows}.
 */
public final class HtmlReport {
  static final int WIDTH = 960;
  private static final int HEIGHT = 340;

  private HtmlReport() {}

  public static void write(Configuration conf, String path, MonitorOptions m, List<Metric> history) {
    AtomicOutput.writeText(conf, path, render(m, history, Instant.now()));
  }

  static String render(MonitorOptions m, List<Metric> history, Instant generatedAt) {
    // today's alert options over every window: the marks and the baseline bands drawn
    AlertCheck.Result checked = AlertCheck.run(history, history, m.alerting);
    Map<String, Alerts.Band> bands = checked.bands();
    Map<String, List<Metric>> bySegment = new LinkedHashMap<>();
    TreeSet<Long> times = new TreeSet<>();
    for (Metric mt : history) {
      bySegment.computeIfAbsent(mt.segment(), s -> new ArrayList<>()).add(mt);
      times.add(mt.windowStart().getTime());
    }
    Palette palette = new Palette(new ArrayList<>(bySegment.keySet()));
    String reduction = history.isEmpty() ? m.eval.reduction.sqlName()
        : history.get(history.size() - 1).reduction();
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>spark-bce monitor: ").append(Svg.esc(m.eval.input)).append("</title>\n")
        .append("<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}\n")
        .append("h1{font-size:20px}h2{font-size:16px;margin:28px 0 6px 0}\n")
        .append("h3{font-size:13px;margin:4px 0}\n")
        .append("table{border-collapse:collapse;font-size:13px}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}\n")
        .append("td.time{white-space:nowrap}\n")
        .append("tr.alert td{background:#fde0dc}.muted{color:#555;font-size:13px}\n")
        .append("svg.chart text{font-size:11px;fill:#333}svg.chart text.axis-title{fill:#000}\n")
        .append(".multiples{display:flex;flex-wrap:wrap;gap:8px 16px;max-width:")
        .append(WIDTH + 20).append("px}\n")
        .append(Legend.CSS)
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>spark-bce monitor: ").append(Svg.esc(m.eval.input)).append("</h1>\n");
    b.append("<p class=\"muted\" id=\"about\">loss (").append(Svg.esc(reduction))
        .append(") per window of ").append(Svg.esc(m.window)).append(" on ")
        .append(Svg.esc(m.timeCol)).append("; ").append(bySegment.size())
        .append(" segment(s), ").append(history.size()).append(" window row(s) in the history ")
        .append(Svg.esc(m.history)).append(m.alertAbove == null ? ""
            : "; alert above " + Svg.num(m.alertAbove))
        .append(m.baselineWindows < 2 ? "" : "; baseline: mean ± " + Svg.num(m.alertSigma)
            + "·σ of the previous " + m.baselineWindows + " windows")
        .append(".</p>\n<p class=\"muted\" id=\"generated\">All times are UTC. Generated at ")
        .append(Svg.utcSecond(generatedAt)).append(".</p>\n");
    if (history.isEmpty()) {
      b.append("<p>No windows yet.</p>\n</body>\n</html>\n");
      return b.toString();
    }
    // the rules each window fires, by Metric.key (the only place the report applies them): every
    // rule monitor applies (threshold, baseline, change, min-rows guard, M-of-N), so that a mark
    // is an alert monitor would fire on that window with today's options
    Map<String, String> alerts = new LinkedHashMap<>();
    for (Metric mt : history) {
      alerts.put(mt.key(), "");
    }
    for (Alerts.Alert a : checked.alerts()) {
      alerts.merge(a.metric().key(), a.kind(), (x, y) -> x.isEmpty() ? y : x + ", " + y);
    }
    LineChart loss = new LineChart("loss-chart", "loss (" + reduction + ")", WIDTH, HEIGHT,
        palette, times);
    for (Map.Entry<String, List<Metric>> e : bySegment.entrySet()) {
      List<LineChart.Point> ps = new ArrayList<>();
      for (Metric mt : e.getValue()) {
        long t = mt.windowStart().getTime();
        ps.add(new LineChart.Point(t, mt.loss(), alerts.get(mt.key())));
        Alerts.Band band = bands.get(mt.key());
        if (band != null) {
          loss.band(e.getKey(), t, band.lower(), band.upper());
        }
      }
      loss.series(e.getKey(), ps);
    }
    Legend lossLegend = new Legend().segments(palette);
    if (m.alertAbove != null) {
      loss.hline("threshold", m.alertAbove, Palette.THRESHOLD);
      lossLegend.line("threshold", "threshold: alert above " + Svg.num(m.alertAbove),
          Palette.THRESHOLD);
    }
    if (!bands.isEmpty()) {
      lossLegend.band("baseline band (segment's colour): mean ± " + Svg.num(m.alertSigma)
          + "·σ of the previous " + m.baselineWindows + " windows");
    }
    if (alerts.values().stream().anyMatch(a -> !a.isEmpty())) {
      lossLegend.alertMarker("alert: the window breaks a rule");
    }
    section(b, "loss", "Loss over time", loss.svg(), lossLegend);

    qualityChart(b, "normalized-entropy", "Normalized entropy", "normalized entropy",
        Quality::normalizedEntropy, bySegment, palette, times, 1.0,
        "NE = 1: no better than always predicting the positive rate");
    qualityChart(b, "calibration", "Calibration (Σ predicted / Σ labels)", "calibration",
        Quality::calibration, bySegment, palette, times, 1.0,
        "calibration = 1: as many positives predicted as observed");
    qualityChart(b, "positive-rate", "Positive rate", "positive rate", Quality::positiveRate,
        bySegment, palette, times, null, null);
    section(b, "rows", "Rows used per window", countChart("rows-chart", "rows used",
        Metric::rowsUsed, bySegment, palette, times), new Legend().segments(palette));
    section(b, "skipped", "Rows skipped per window (invalid rows)", countChart("skipped-chart",
        "rows skipped", Metric::rowsSkipped, bySegment, palette, times),
        new Legend().segments(palette));
    ClassTrends.render(b, bySegment, palette, times);
    ClassBars.render(b, bySegment, palette);
    WindowTable.render(b, history, alerts, bands);
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static void qualityChart(StringBuilder b, String id, String title, String yTitle,
      Function<Quality, Double> value, Map<String, List<Metric>> bySegment, Palette palette,
      TreeSet<Long> times, Double reference, String referenceText) {
    LineChart c = new LineChart(id + "-chart", yTitle, WIDTH, HEIGHT, palette, times);
    series(c, bySegment, mt -> mt.quality() == null ? null : value.apply(mt.quality()));
    Legend legend = new Legend().segments(palette);
    if (reference != null) {
      c.hline("reference", reference, Palette.REFERENCE);
      legend.line("reference", referenceText, Palette.REFERENCE);
    }
    section(b, id, title, c.svg(), legend);
  }

  private static String countChart(String id, String yTitle, Function<Metric, Long> value,
      Map<String, List<Metric>> bySegment, Palette palette, TreeSet<Long> times) {
    LineChart c = new LineChart(id, yTitle, WIDTH, 260, palette, times).counts();
    series(c, bySegment, mt -> (double) value.apply(mt));
    return c.svg();
  }

  /** A line per segment of {@code value}. */
  static void series(LineChart c, Map<String, List<Metric>> bySegment,
      Function<Metric, Double> value) {
    for (Map.Entry<String, List<Metric>> e : bySegment.entrySet()) {
      List<LineChart.Point> ps = new ArrayList<>();
      for (Metric mt : e.getValue()) {
        ps.add(new LineChart.Point(mt.windowStart().getTime(), value.apply(mt), ""));
      }
      c.series(e.getKey(), ps);
    }
  }

  static void section(StringBuilder b, String id, String title, String body, Legend legend) {
    b.append("<section id=\"").append(id).append("\">\n<h2>").append(Svg.esc(title))
        .append("</h2>\n").append(body);
    if (legend != null) {
      legend.render(b, id);
    }
    b.append("</section>\n");
  }
}
