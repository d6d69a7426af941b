package io.sparkbce.monitor.report;

import io.sparkbce.job.TextTable;
import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.monitor.MonitorOptions;
import io.sparkbce.monitor.alert.Alerts;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;

/**
 * The HTML report of {@code monitor}: one self-contained file (inline CSS and SVG, no scripts, no
 * network): loss over time per segment with the baseline band and alert markers, the per-class
 * loss of the latest window as bars, and the latest windows as a table.
 *
 * <p>Stable hooks for tests and tools: {@code svg#loss-chart} with one {@code
 * polyline.series[data-segment]} per segment, {@code path.band[data-segment]} per segment with a
 * baseline, {@code circle.point}, {@code g.alert-marker}; {@code svg#per-class-chart} with {@code
 * rect.bar[data-class]}; {@code table#latest-windows} with one body row per window and segment.
 */
public final class HtmlReport {
  static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  static final int LATEST_ROWS = 20;
  /** At most this many classes get bars (those with the highest loss): the file stays small. */
  static final int MAX_CLASS_BARS = 200;
  private static final int W = 960;
  private static final int H = 380;
  private static final int L = 70;
  private static final int R = 180;
  private static final int T = 20;
  private static final int B = 50;

  private HtmlReport() {}

  public static void write(Configuration conf, String path, MonitorOptions m, List<Metric> history,
      Map<String, Alerts.Band> bands) {
    AtomicOutput.writeText(conf, path, render(m, history, bands));
  }

  static String render(MonitorOptions m, List<Metric> history, Map<String, Alerts.Band> bands) {
    Map<String, List<Metric>> bySegment = new LinkedHashMap<>();
    for (Metric mt : history) {
      bySegment.computeIfAbsent(mt.segment(), s -> new ArrayList<>()).add(mt);
    }
    String reduction = history.isEmpty() ? m.eval.reduction.sqlName()
        : history.get(history.size() - 1).reduction();
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>spark-bce monitor: ").append(esc(m.eval.input)).append("</title>\n")
        .append("<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222}\n")
        .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n")
        .append("table{border-collapse:collapse;font-size:13px}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px}td.num{text-align:right}\n")
        .append("tr.alert td{background:#fde0dc}.muted{color:#666;font-size:13px}\n")
        .append("svg text{font-size:11px;fill:#333}\n")
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>spark-bce monitor: ").append(esc(m.eval.input)).append("</h1>\n");
    b.append("<p class=\"muted\">loss (").append(esc(reduction)).append(") per window of ")
        .append(esc(m.window)).append(" on ").append(esc(m.timeCol)).append("; ")
        .append(bySegment.size()).append(" segment(s), ").append(history.size())
        .append(" window row(s) in the history ").append(esc(m.history))
        .append(m.alertAbove == null ? "" : "; alert above " + Alerts.fmt(m.alertAbove))
        .append(m.baselineWindows < 2 ? "" : "; baseline: mean ± " + fmtShort(m.alertSigma)
            + "·σ of the previous " + m.baselineWindows + " windows")
        .append("</p>\n");
    if (history.isEmpty()) {
      b.append("<p>No windows yet.</p>\n</body>\n</html>\n");
      return b.toString();
    }
    lossChart(b, m, bySegment, bands);
    perClassChart(b, bySegment);
    latestTable(b, m, history, bands);
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static boolean alerted(Metric mt, MonitorOptions m, Map<String, Alerts.Band> bands) {
    return !Alerts.check(mt, m.alertAbove, bands.get(mt.key())).isEmpty();
  }

  private static void lossChart(StringBuilder b, MonitorOptions m,
      Map<String, List<Metric>> bySegment, Map<String, Alerts.Band> bands) {
    TreeSet<Long> times = new TreeSet<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<Metric> ms : bySegment.values()) {
      for (Metric mt : ms) {
        times.add(mt.windowStart().getTime());
        if (finite(mt.loss())) {
          lo = Math.min(lo, mt.loss());
          hi = Math.max(hi, mt.loss());
        }
        Alerts.Band band = bands.get(mt.key());
        if (band != null && Double.isFinite(band.lower()) && Double.isFinite(band.upper())) {
          lo = Math.min(lo, band.lower());
          hi = Math.max(hi, band.upper());
        }
      }
    }
    if (m.alertAbove != null) {
      lo = Math.min(lo, m.alertAbove);
      hi = Math.max(hi, m.alertAbove);
    }
    if (!(lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      hi = lo + Math.max(Math.abs(lo) * 0.1, 1e-3);
    }
    double pad = (hi - lo) * 0.08;
    final double y0 = lo - pad;
    final double y1 = hi + pad;
    long t0 = times.first();
    long t1 = times.last();
    int pw = W - L - R;
    int ph = H - T - B;
    java.util.function.LongToDoubleFunction px = t -> t1 == t0 ? L + pw / 2.0
        : L + (double) (t - t0) / (t1 - t0) * pw;
    java.util.function.DoubleUnaryOperator py = v -> T + (y1 - v) / (y1 - y0) * ph;

    b.append("<h2>Loss over time</h2>\n");
    b.append("<svg id=\"loss-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
        .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ')
        .append(H).append("\" role=\"img\" aria-label=\"loss over time per segment\">\n");
    b.append("<rect x=\"").append(L).append("\" y=\"").append(T).append("\" width=\"").append(pw)
        .append("\" height=\"").append(ph).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n");
    for (int i = 0; i <= 4; i++) {
      double v = y0 + (y1 - y0) * i / 4;
      double yy = py.applyAsDouble(v);
      b.append("<line class=\"grid\" x1=\"").append(L).append("\" x2=\"").append(L + pw)
          .append("\" y1=\"").append(f(yy)).append("\" y2=\"").append(f(yy))
          .append("\" stroke=\"#e5e5e5\"/>")
          .append("<text class=\"y-tick\" x=\"").append(L - 6).append("\" y=\"").append(f(yy + 4))
          .append("\" text-anchor=\"end\">").append(fmtShort(v)).append("</text>\n");
    }
    List<Long> ts = new ArrayList<>(times);
    int step = Math.max(1, ts.size() / 8);
    for (int i = 0; i < ts.size(); i += step) {
      double xx = px.applyAsDouble(ts.get(i));
      b.append("<text class=\"x-tick\" x=\"").append(f(xx)).append("\" y=\"").append(T + ph + 16)
          .append("\" text-anchor=\"middle\">").append(esc(label(ts.get(i)))).append("</text>\n");
    }
    if (m.alertAbove != null) {
      double yy = py.applyAsDouble(m.alertAbove);
      b.append("<line class=\"threshold\" x1=\"").append(L).append("\" x2=\"").append(L + pw)
          .append("\" y1=\"").append(f(yy)).append("\" y2=\"").append(f(yy))
          .append("\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>\n");
    }
    int si = 0;
    for (Map.Entry<String, List<Metric>> e : bySegment.entrySet()) {
      String color = COLORS[si % COLORS.length];
      String seg = esc(e.getKey());
      // the baseline band: upper edge left to right, lower edge back
      List<double[]> upper = new ArrayList<>();
      List<double[]> lower = new ArrayList<>();
      for (Metric mt : e.getValue()) {
        Alerts.Band band = bands.get(mt.key());
        if (band != null && Double.isFinite(band.lower()) && Double.isFinite(band.upper())) {
          double xx = px.applyAsDouble(mt.windowStart().getTime());
          upper.add(new double[] {xx, py.applyAsDouble(band.upper())});
          lower.add(new double[] {xx, py.applyAsDouble(band.lower())});
        }
      }
      if (!upper.isEmpty()) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < upper.size(); i++) {
          d.append(i == 0 ? "M" : " L").append(f(upper.get(i)[0])).append(',')
              .append(f(upper.get(i)[1]));
        }
        for (int i = lower.size() - 1; i >= 0; i--) {
          d.append(" L").append(f(lower.get(i)[0])).append(',').append(f(lower.get(i)[1]));
        }
        if (upper.size() == 1) { // a single window: a short bar
          double xx = upper.get(0)[0];
          d.setLength(0);
          d.append("M").append(f(xx - 4)).append(',').append(f(upper.get(0)[1])).append(" L")
              .append(f(xx + 4)).append(',').append(f(upper.get(0)[1])).append(" L")
              .append(f(xx + 4)).append(',').append(f(lower.get(0)[1])).append(" L")
              .append(f(xx - 4)).append(',').append(f(lower.get(0)[1]));
        }
        d.append(" Z");
        b.append("<path class=\"band\" data-segment=\"").append(seg).append("\" d=\"").append(d)
            .append("\" fill=\"").append(color).append("\" fill-opacity=\"0.15\" stroke=\"none\">")
            .append("<title>").append(seg).append(": baseline band</title></path>\n");
      }
      StringBuilder pts = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      StringBuilder markers = new StringBuilder();
      for (Metric mt : e.getValue()) {
        if (!finite(mt.loss())) {
          continue;
        }
        double xx = px.applyAsDouble(mt.windowStart().getTime());
        double yy = py.applyAsDouble(mt.loss());
        pts.append(pts.length() == 0 ? "" : " ").append(f(xx)).append(',').append(f(yy));
        String tip = seg + " " + esc(label(mt.windowStart().getTime())) + ": " + fmtShort(mt.loss());
        dots.append("<circle class=\"point\" data-segment=\"").append(seg).append("\" cx=\"")
            .append(f(xx)).append("\" cy=\"").append(f(yy)).append("\" r=\"3\" fill=\"")
            .append(color).append("\"><title>").append(tip).append("</title></circle>\n");
        if (alerted(mt, m, bands)) {
          markers.append("<g class=\"alert-marker\" data-segment=\"").append(seg)
              .append("\" data-window=\"").append(esc(label(mt.windowStart().getTime())))
              .append("\"><circle cx=\"").append(f(xx)).append("\" cy=\"").append(f(yy))
              .append("\" r=\"8\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>")
              .append("<text x=\"").append(f(xx)).append("\" y=\"").append(f(yy - 12))
              .append("\" text-anchor=\"middle\" fill=\"#d62728\">!</text><title>alert: ")
              .append(tip).append("</title></g>\n");
        }
      }
      b.append("<polyline class=\"series\" data-segment=\"").append(seg).append("\" points=\"")
          .append(pts).append("\" fill=\"none\" stroke=\"").append(color)
          .append("\" stroke-width=\"2\"/>\n").append(dots).append(markers);
      int ly = T + 14 + si * 18;
      b.append("<g class=\"legend\" data-segment=\"").append(seg).append("\"><rect x=\"")
          .append(L + pw + 14).append("\" y=\"").append(ly - 9).append("\" width=\"12\" height=\"")
          .append("10\" fill=\"").append(color).append("\"/><text x=\"").append(L + pw + 32)
          .append("\" y=\"").append(ly).append("\">").append(seg).append("</text></g>\n");
      si++;
    }
    b.append("</svg>\n");
  }

  private static void perClassChart(StringBuilder b, Map<String, List<Metric>> bySegment) {
    List<String> segs = new ArrayList<>();
    List<List<Double>> values = new ArrayList<>();
    Timestamp latest = null;
    for (List<Metric> ms : bySegment.values()) {
      Metric last = ms.get(ms.size() - 1);
      if (latest == null || last.windowStart().after(latest)) {
        latest = last.windowStart();
      }
    }
    int classes = 0;
    double max = 0;
    for (Map.Entry<String, List<Metric>> e : bySegment.entrySet()) {
      Metric last = e.getValue().get(e.getValue().size() - 1);
      if (!last.windowStart().equals(latest) || last.lossPerClass() == null) {
        continue;
      }
      segs.add(e.getKey());
      values.add(last.lossPerClass());
      classes = Math.max(classes, last.lossPerClass().size());
      for (Double v : last.lossPerClass()) {
        if (finite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    b.append("<h2>Loss per class, latest window (").append(esc(label(latest.getTime())))
        .append(")</h2>\n");
    if (classes == 0) {
      b.append("<p>No per-class losses.</p>\n");
      return;
    }
    if (max <= 0) {
      max = 1;
    }
    int[] shown = shownClasses(values, classes);
    if (shown.length < classes) {
      b.append("<p class=\"muted\">The ").append(shown.length)
          .append(" classes with the highest loss of ").append(classes).append(".</p>\n");
    }
    int pw = W - L - R;
    int ph = 220;
    int h = ph + T + 40;
    double groupW = (double) pw / shown.length;
    double barW = Math.max(1, (groupW - 4) / segs.size());
    b.append("<svg id=\"per-class-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W).append("\" height=\"").append(h).append("\" viewBox=\"0 0 ").append(W)
        .append(' ').append(h).append("\" role=\"img\" aria-label=\"loss per class\">\n");
    b.append("<line x1=\"").append(L).append("\" x2=\"").append(L + pw).append("\" y1=\"")
        .append(T + ph).append("\" y2=\"").append(T + ph).append("\" stroke=\"#999\"/>\n");
    b.append("<text class=\"y-tick\" x=\"").append(L - 6).append("\" y=\"").append(T + 4)
        .append("\" text-anchor=\"end\">").append(fmtShort(max)).append("</text>\n");
    for (int k = 0; k < shown.length; k++) {
      int c = shown[k];
      double gx = L + k * groupW;
      b.append("<text class=\"x-tick\" x=\"").append(f(gx + groupW / 2)).append("\" y=\"")
          .append(T + ph + 14).append("\" text-anchor=\"middle\">").append(c).append("</text>\n");
      for (int s = 0; s < segs.size(); s++) {
        List<Double> vs = values.get(s);
        Double v = c < vs.size() ? vs.get(c) : null;
        double bh = finite(v) ? Math.max(0, v) / max * ph : 0;
        b.append("<rect class=\"bar\" data-segment=\"").append(esc(segs.get(s)))
            .append("\" data-class=\"").append(c).append("\" x=\"").append(f(gx + 2 + s * barW))
            .append("\" y=\"").append(f(T + ph - bh)).append("\" width=\"").append(f(barW))
            .append("\" height=\"").append(f(bh)).append("\" fill=\"")
            .append(COLORS[indexOf(bySegment, segs.get(s)) % COLORS.length]).append("\"><title>")
            .append(esc(segs.get(s))).append(" class ").append(c).append(": ")
            .append(v == null ? "NULL" : fmtShort(v)).append("</title></rect>\n");
      }
    }
    b.append("<text x=\"").append(L + pw / 2).append("\" y=\"").append(h - 4)
        .append("\" text-anchor=\"middle\">class</text>\n</svg>\n");
  }

  private static void latestTable(StringBuilder b, MonitorOptions m, List<Metric> history,
      Map<String, Alerts.Band> bands) {
    List<Metric> latest = history.subList(Math.max(0, history.size() - LATEST_ROWS),
        history.size());
    b.append("<h2>Latest windows</h2>\n<table id=\"latest-windows\">\n<thead><tr>")
        .append("<th>window start</th><th>window end</th><th>segment</th><th>rows used</th>")
        .append("<th>rows skipped</th><th>elements</th><th>loss</th><th>weighted mean</th>")
        .append("<th>baseline</th><th>alert</th></tr></thead>\n<tbody>\n");
    for (int i = latest.size() - 1; i >= 0; i--) {
      Metric mt = latest.get(i);
      Alerts.Band band = bands.get(mt.key());
      List<Alerts.Alert> as = Alerts.check(mt, m.alertAbove, band);
      b.append("<tr class=\"window").append(as.isEmpty() ? "" : " alert").append("\">")
          .append("<td>").append(esc(label(mt.windowStart().getTime()))).append("</td><td>")
          .append(esc(label(mt.windowEnd().getTime()))).append("</td><td>")
          .append(esc(mt.segment())).append("</td><td class=\"num\">").append(mt.rowsUsed())
          .append("</td><td class=\"num\">").append(mt.rowsSkipped())
          .append("</td><td class=\"num\">").append(mt.elements())
          .append("</td><td class=\"num\">").append(esc(TextTable.number(mt.loss())))
          .append("</td><td class=\"num\">").append(esc(TextTable.number(mt.weightedMeanLoss())))
          .append("</td><td>").append(band == null ? "" : fmtShort(band.lower()) + " .. "
              + fmtShort(band.upper()))
          .append("</td><td>").append(esc(String.join(", ",
              as.stream().map(Alerts.Alert::kind).toList()))).append("</td></tr>\n");
    }
    b.append("</tbody>\n</table>\n");
  }

  /** All classes, or the {@link #MAX_CLASS_BARS} with the highest loss in any segment, in order. */
  private static int[] shownClasses(List<List<Double>> values, int classes) {
    if (classes <= MAX_CLASS_BARS) {
      return java.util.stream.IntStream.range(0, classes).toArray();
    }
    double[] top = new double[classes];
    java.util.Arrays.fill(top, Double.NEGATIVE_INFINITY);
    for (List<Double> vs : values) {
      for (int c = 0; c < vs.size(); c++) {
        if (finite(vs.get(c))) {
          top[c] = Math.max(top[c], vs.get(c));
        }
      }
    }
    return java.util.stream.IntStream.range(0, classes).boxed()
        .sorted((p, q) -> Double.compare(top[q], top[p])).limit(MAX_CLASS_BARS)
        .mapToInt(Integer::intValue).sorted().toArray();
  }

  private static int indexOf(Map<String, List<Metric>> bySegment, String seg) {
    int i = 0;
    for (String s : bySegment.keySet()) {
      if (s.equals(seg)) {
        return i;
      }
      i++;
    }
    return 0;
  }

  static String label(long millis) {
    String s = new Timestamp(millis).toString().replaceAll("\\.0$", "");
    return s.endsWith(" 00:00:00") ? s.substring(0, 10) : s;
  }

  private static boolean finite(Double d) {
    return d != null && Double.isFinite(d);
  }

  private static String f(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  private static String fmtShort(double d) {
    return String.format(Locale.ROOT, "%.4g", d);
  }

  static String esc(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
