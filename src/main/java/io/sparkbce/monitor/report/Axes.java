package io.sparkbce.monitor.report;

import java.util.function.DoubleUnaryOperator;

/**
 * The frame of a chart: plot area, y grid with its tick labels, and the two axis titles. The left
 * margin is computed from the widest tick label so that labels are never cut.
 */
record Axes(Ticks ticks, double left, double top, double plotWidth, double plotHeight,
    int width, int height) {
  static final int TOP = 12;
  static final int BOTTOM = 44;

  /** Axes for a chart of {@code width x height} whose right margin is {@code right}. */
  static Axes of(Ticks ticks, int width, int height, double right) {
    double yLabelWidth = 0;
    for (String s : ticks.labels()) {
      yLabelWidth = Math.max(yLabelWidth, Svg.textWidth(s));
    }
    double left = 24 + yLabelWidth + 8;
    return new Axes(ticks, left, TOP, width - left - right, height - TOP - BOTTOM, width, height);
  }

  /** The y pixel of value {@code v}. */
  DoubleUnaryOperator py() {
    double y0 = ticks.min();
    double y1 = ticks.max();
    return v -> top + (y1 - v) / (y1 - y0) * plotHeight;
  }

  /** The x-tick labels' baseline. */
  double xTickY() {
    return top + plotHeight + 19; // below the lowest y-tick label, which straddles the axis
  }

  /** Opens the SVG and draws the frame, grid, y ticks and the axis titles. */
  void open(StringBuilder b, String id, String xTitle, String yTitle) {
    b.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/")
        .append("svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
        .append("\" role=\"img\" aria-label=\"").append(Svg.esc(yTitle)).append(" per ")
        .append(Svg.esc(xTitle)).append("\">\n");
    b.append("<rect x=\"").append(Svg.f(left)).append("\" y=\"").append(Svg.f(top))
        .append("\" width=\"").append(Svg.f(plotWidth)).append("\" height=\"")
        .append(Svg.f(plotHeight)).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n");
    DoubleUnaryOperator py = py();
    String[] labels = ticks.labels();
    for (int i = 0; i < labels.length; i++) {
      double yy = py.applyAsDouble(ticks.values()[i].doubleValue());
      b.append("<line class=\"grid\" x1=\"").append(Svg.f(left)).append("\" x2=\"")
          .append(Svg.f(left + plotWidth)).append("\" y1=\"").append(Svg.f(yy))
          .append("\" y2=\"").append(Svg.f(yy)).append("\" stroke=\"#e5e5e5\"/><text class=\"")
          .append("y-tick\" x=\"").append(Svg.f(left - 6)).append("\" y=\"").append(Svg.f(yy + 4))
          .append("\" text-anchor=\"end\">").append(labels[i]).append("</text>\n");
    }
    b.append("<text class=\"axis-title\" x=\"").append(Svg.f(left + plotWidth / 2))
        .append("\" y=\"").append(height - 4).append("\" text-anchor=\"middle\">")
        .append(Svg.esc(xTitle)).append("</text>\n");
    b.append("<text class=\"axis-title\" transform=\"rotate(-90)\" x=\"")
        .append(Svg.f(-(top + plotHeight / 2))).append("\" y=\"14\" text-anchor=\"middle\">")
        .append(Svg.esc(yTitle)).append("</text>\n");
  }

  /** An x-tick label centred at {@code x}. */
  void xTick(StringBuilder b, double x, String label) {
    b.append("<text class=\"x-tick\" x=\"").append(Svg.f(x)).append("\" y=\"")
        .append(Svg.f(xTickY())).append("\" text-anchor=\"middle\">").append(Svg.esc(label))
        .append("</text>\n");
  }
}
