package io.sparkbce.monitor.report;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The loss of each class over the windows, as small multiples: one small chart per class, a line
 * per segment, all on the same time axis as the other charts. At most {@link #MAX_CLASSES}
 * classes, those with the highest loss in any window, and the section says how many are left out.
 */
final class ClassTrends {
  static final int MAX_CLASSES = 12;
  private static final int W = 310;
  private static final int H = 210;

  private ClassTrends() {}

  static void render(StringBuilder b, Map<String, List<Metric>> bySegment, Palette palette,
      TreeSet<Long> times) {
    int classes = 0;
    for (List<Metric> ms : bySegment.values()) {
      for (Metric mt : ms) {
        classes = Math.max(classes, mt.lossPerClass() == null ? 0 : mt.lossPerClass().size());
      }
    }
    if (classes == 0) {
      return;
    }
    double[] peak = new double[classes];
    java.util.Arrays.fill(peak, Double.NEGATIVE_INFINITY);
    for (List<Metric> ms : bySegment.values()) {
      for (Metric mt : ms) {
        List<Double> vs = mt.lossPerClass();
        for (int c = 0; vs != null && c < vs.size(); c++) {
          if (Svg.finite(vs.get(c))) {
            peak[c] = Math.max(peak[c], vs.get(c));
          }
        }
      }
    }
    int[] shown = Top.classes(peak, MAX_CLASSES);
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"muted\">").append(shown.length < classes ? "The " + shown.length
        + " classes with the highest loss in any window, of " + classes + " (" + (classes
        - shown.length) + " not shown)." : "All " + classes + " classes.").append("</p>\n")
        .append("<div class=\"multiples\">\n");
    for (int c : shown) {
      LineChart chart = new LineChart("class-" + c + "-chart", "loss", W, H, palette, times);
      HtmlReport.series(chart, bySegment, mt -> mt.lossPerClass() == null
          || c >= mt.lossPerClass().size() ? null : mt.lossPerClass().get(c));
      body.append("<div class=\"multiple\" data-class=\"").append(c).append("\"><h3>class ")
          .append(c).append("</h3>\n").append(chart.svg()).append("</div>\n");
    }
    body.append("</div>\n");
    HtmlReport.section(b, "per-class-trend", "Loss per class over time", body.toString(),
        new Legend().segments(palette));
  }
}
