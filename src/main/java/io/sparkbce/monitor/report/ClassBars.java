package io.sparkbce.monitor.report;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-class loss of the latest window as grouped bars (a bar per segment), for the at most
 * {@link #MAX_CLASS_BARS} classes with the highest loss: the file stays small at 100,000 classes.
 * Hooks: {@code svg#per-class-chart}, {@code rect.bar[data-segment][data-class]}.
 */
final class ClassBars {
  static final int MAX_CLASS_BARS = 200;
  private static final int H = 300;

  private ClassBars() {}

  static void render(StringBuilder b, Map<String, List<Metric>> bySegment, Palette palette) {
    Timestamp latest = null;
    for (List<Metric> ms : bySegment.values()) {
      Timestamp t = ms.get(ms.size() - 1).windowStart();
      latest = latest == null || t.after(latest) ? t : latest;
    }
    List<String> segs = new ArrayList<>();
    List<List<Double>> values = new ArrayList<>();
    int classes = 0;
    for (Map.Entry<String, List<Metric>> e : bySegment.entrySet()) {
      Metric last = e.getValue().get(e.getValue().size() - 1);
      if (last.windowStart().equals(latest) && last.lossPerClass() != null) {
        segs.add(e.getKey());
        values.add(last.lossPerClass());
        classes = Math.max(classes, last.lossPerClass().size());
      }
    }
    if (classes == 0) {
      return;
    }
    double[] top = new double[classes];
    java.util.Arrays.fill(top, Double.NEGATIVE_INFINITY);
    double max = 0;
    for (List<Double> vs : values) {
      for (int c = 0; c < vs.size(); c++) {
        if (Svg.finite(vs.get(c))) {
          top[c] = Math.max(top[c], vs.get(c));
          max = Math.max(max, vs.get(c));
        }
      }
    }
    int[] shown = Top.classes(top, MAX_CLASS_BARS);
    StringBuilder body = new StringBuilder();
    if (shown.length < classes) {
      body.append("<p class=\"muted\">The ").append(shown.length)
          .append(" classes with the highest loss, of ").append(classes).append(" (")
          .append(classes - shown.length).append(" not shown).</p>\n");
    }
    Axes axes = Axes.of(Ticks.nice(0, max, 5, false), HtmlReport.WIDTH, H, 12);
    java.util.function.DoubleUnaryOperator py = axes.py();
    String reduction = bySegment.values().iterator().next().get(0).reduction();
    axes.open(body, "per-class-chart", "class", "loss (" + reduction + ")");
    double groupW = axes.plotWidth() / shown.length;
    double barW = Math.max(0.5, (groupW - 2) / segs.size());
    double labelW = Svg.textWidth(Integer.toString(classes - 1)) + 6;
    double lastX = Double.NEGATIVE_INFINITY;
    double base = py.applyAsDouble(0);
    for (int k = 0; k < shown.length; k++) {
      int c = shown[k];
      double gx = axes.left() + k * groupW;
      if (gx + groupW / 2 - lastX >= labelW) { // a label where it does not meet the previous one
        axes.xTick(body, gx + groupW / 2, Integer.toString(c));
        lastX = gx + groupW / 2;
      }
      for (int s = 0; s < segs.size(); s++) {
        List<Double> vs = values.get(s);
        Double v = c < vs.size() ? vs.get(c) : null;
        double top1 = Svg.finite(v) ? py.applyAsDouble(Math.max(0, v)) : base;
        body.append("<rect class=\"bar\" data-segment=\"").append(Svg.esc(segs.get(s)))
            .append("\" data-class=\"").append(c).append("\" x=\"")
            .append(Svg.f(gx + 1 + s * barW)).append("\" y=\"").append(Svg.f(top1))
            .append("\" width=\"").append(Svg.f(barW)).append("\" height=\"")
            .append(Svg.f(base - top1)).append("\" fill=\"").append(palette.color(segs.get(s)))
            .append("\"><title>").append(Svg.esc(segs.get(s))).append(" · class ").append(c)
            .append(": ").append(Svg.num(v)).append("</title></rect>\n");
      }
    }
    body.append("</svg>\n");
    HtmlReport.section(b, "per-class-latest", "Loss per class, latest window ("
        + Svg.utc(latest.getTime()) + " UTC)", body.toString(), new Legend().segments(palette));
  }
}
