package io.sparkbce.monitor.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One SVG chart of a value over the windows, a line per segment: round y ticks ({@link Ticks}),
 * x ticks at window starts in UTC placed so that no two labels meet, both axes titled, and
 * optionally each segment's baseline band, horizontal lines (threshold, reference value) and
 * alert markers. Every point has a tooltip ({@code <title>}): segment, window and value.
 *
 * <p>Hooks for tests and tools: {@code svg.chart#ID}, {@code path.series[data-segment]}, {@code
 * circle.point[data-segment]}, {@code path.band[data-segment]}, {@code line.hline[data-kind]},
 * {@code g.alert-marker[data-segment][data-window]}, {@code text.y-tick}, {@code text.x-tick},
 * {@code text.axis-title}.
 */
final class LineChart {
  /**
   * A value of one window; {@code v} null or not finite: no point (the line breaks); {@code
   * alerts}: the rules it breaks ("threshold, baseline"), empty for none.
   */
  record Point(long t, Double v, String alerts) {}

  private record Band(long t, double lower, double upper) {}

  private record HLine(String kind, double y, String color) {}

  private static final double INSET = 10;
  private final String id;
  private final String yTitle;
  private final int width;
  private final int height;
  private final Palette palette;
  private final TreeSet<Long> times;
  private final Map<String, List<Point>> series = new LinkedHashMap<>();
  private final Map<String, List<Band>> bands = new LinkedHashMap<>();
  private final List<HLine> hlines = new ArrayList<>();
  private boolean fromZero;
  private boolean integer;

  /** {@code times}: the window starts of the whole history, so that all charts line up. */
  LineChart(String id, String yTitle, int width, int height, Palette palette, TreeSet<Long> times) {
    this.id = id;
    this.yTitle = yTitle;
    this.width = width;
    this.height = height;
    this.palette = palette;
    this.times = times;
  }

  /** Counts: the axis starts at 0 and ticks are whole numbers. */
  LineChart counts() {
    fromZero = true;
    integer = true;
    return this;
  }

  LineChart series(String segment, List<Point> points) {
    series.put(segment, points);
    return this;
  }

  LineChart band(String segment, long t, double lower, double upper) {
    if (Double.isFinite(lower) && Double.isFinite(upper)) {
      bands.computeIfAbsent(segment, s -> new ArrayList<>()).add(new Band(t, lower, upper));
    }
    return this;
  }

  LineChart hline(String kind, double y, String color) {
    hlines.add(new HLine(kind, y, color));
    return this;
  }

  private Ticks yTicks(int plotHeight) {
    double lo = fromZero ? 0 : Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<Point> ps : series.values()) {
      for (Point p : ps) {
        if (Svg.finite(p.v())) {
          lo = Math.min(lo, p.v());
          hi = Math.max(hi, p.v());
        }
      }
    }
    for (List<Band> bs : bands.values()) {
      for (Band bd : bs) {
        lo = Math.min(lo, bd.lower());
        hi = Math.max(hi, bd.upper());
      }
    }
    for (HLine h : hlines) {
      lo = Math.min(lo, h.y());
      hi = Math.max(hi, h.y());
    }
    if (hi == Double.NEGATIVE_INFINITY) {
      hi = lo == Double.POSITIVE_INFINITY ? 1 : lo;
      lo = Math.min(lo, hi);
    }
    return Ticks.nice(lo, hi, Math.max(3, plotHeight / 45), integer);
  }

  String svg() {
    Ticks ticks = yTicks(height - Axes.TOP - Axes.BOTTOM);
    double xLabelWidth = 0;
    for (long t : times) {
      xLabelWidth = Math.max(xLabelWidth, Svg.textWidth(Svg.utc(t)));
    }
    Axes axes = Axes.of(ticks, width, height, Math.max(12, xLabelWidth / 2 - INSET + 4));
    double left = axes.left();
    double pw = axes.plotWidth();
    long t0 = times.first();
    long t1 = times.last();
    java.util.function.LongToDoubleFunction px = t -> t1 == t0 ? left + pw / 2
        : left + INSET + (double) (t - t0) / (t1 - t0) * (pw - 2 * INSET);
    java.util.function.DoubleUnaryOperator py = axes.py();
    StringBuilder b = new StringBuilder();
    axes.open(b, id, "window start (UTC)", yTitle);
    double lastX = Double.NEGATIVE_INFINITY;
    for (long t : times) { // a label where it does not meet the previous one
      double xx = px.applyAsDouble(t);
      if (xx - lastX >= xLabelWidth + 8) {
        axes.xTick(b, xx, Svg.utc(t));
        lastX = xx;
      }
    }
    for (Map.Entry<String, List<Band>> e : bands.entrySet()) {
      bandPath(b, e.getKey(), e.getValue(), px, py);
    }
    for (HLine h : hlines) {
      double yy = py.applyAsDouble(h.y());
      b.append("<line class=\"hline\" data-kind=\"").append(h.kind()).append("\" x1=\"")
          .append(Svg.f(left)).append("\" x2=\"").append(Svg.f(left + pw)).append("\" y1=\"")
          .append(Svg.f(yy)).append("\" y2=\"").append(Svg.f(yy)).append("\" stroke=\"")
          .append(h.color()).append("\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n");
    }
    StringBuilder markers = new StringBuilder();
    for (Map.Entry<String, List<Point>> e : series.entrySet()) {
      String seg = Svg.esc(e.getKey());
      StringBuilder d = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      boolean broken = true;
      for (Point p : e.getValue()) {
        if (!Svg.finite(p.v())) {
          broken = true;
          continue;
        }
        double xx = px.applyAsDouble(p.t());
        double yy = py.applyAsDouble(p.v());
        d.append(d.length() == 0 ? "" : " ").append(broken ? "M" : "L").append(Svg.f(xx))
            .append(',').append(Svg.f(yy));
        broken = false;
        String tip = seg + " · " + Svg.utc(p.t()) + " UTC: " + Svg.num(p.v());
        dots.append("<circle class=\"point\" data-segment=\"").append(seg).append("\" cx=\"")
            .append(Svg.f(xx)).append("\" cy=\"").append(Svg.f(yy)).append("\" r=\"3\" fill=\"")
            .append(palette.color(e.getKey())).append("\"><title>").append(tip)
            .append("</title></circle>\n");
        if (!p.alerts().isEmpty()) { // above the point, below it at the top of the chart
          markers.append("<g class=\"alert-marker\" data-segment=\"").append(seg)
              .append("\" data-window=\"").append(Svg.utc(p.t())).append("\">")
              .append(AlertMarker.shape(xx, yy >= Axes.TOP + 8 ? yy - 11 : yy + 11))
              .append("<title>alert (")
              .append(Svg.esc(p.alerts())).append("): ").append(tip)
              .append("</title></g>\n");
        }
      }
      if (d.length() > 0) {
        b.append("<path class=\"series\" data-segment=\"").append(seg).append("\" d=\"")
            .append(d).append("\" fill=\"none\" ").append(palette.stroke(e.getKey()))
            .append(" stroke-width=\"2\"/>\n");
      }
      b.append(dots);
    }
    b.append(markers).append("</svg>\n");
    return b.toString();
  }

  /** The band as one area: its upper edge left to right, the lower edge back. */
  private void bandPath(StringBuilder b, String segment, List<Band> bs,
      java.util.function.LongToDoubleFunction px, java.util.function.DoubleUnaryOperator py) {
    StringBuilder d = new StringBuilder();
    double half = bs.size() == 1 ? 4 : 0; // a single window: a short bar
    for (int i = 0; i < bs.size(); i++) {
      Band bd = bs.get(i);
      double xx = px.applyAsDouble(bd.t());
      d.append(i == 0 ? "M" : " L").append(Svg.f(xx - half)).append(',')
          .append(Svg.f(py.applyAsDouble(bd.upper())));
      if (half > 0) {
        d.append(" L").append(Svg.f(xx + half)).append(',')
            .append(Svg.f(py.applyAsDouble(bd.upper())));
      }
    }
    for (int i = bs.size() - 1; i >= 0; i--) {
      Band bd = bs.get(i);
      double xx = px.applyAsDouble(bd.t());
      d.append(" L").append(Svg.f(xx + half)).append(',')
          .append(Svg.f(py.applyAsDouble(bd.lower())));
      if (half > 0) {
        d.append(" L").append(Svg.f(xx - half)).append(',')
            .append(Svg.f(py.applyAsDouble(bd.lower())));
      }
    }
    String seg = Svg.esc(segment);
    b.append("<path class=\"band\" data-segment=\"").append(seg).append("\" d=\"").append(d)
        .append(" Z\" fill=\"").append(palette.color(segment))
        .append("\" fill-opacity=\"0.15\" stroke=\"none\"><title>").append(seg)
        .append(": baseline band</title></path>\n");
  }
}
