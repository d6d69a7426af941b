package io.sparkbce.monitor.report;

import java.util.List;

/**
 * The look of each segment's series, the same in every chart: a colour and, from the 10th segment
 * on, a dash pattern, so that 30 segments stay distinct. Red and black are not in the palette:
 * they belong to alert markers and the threshold line.
 */
record Palette(List<String> segments) {
  private static final String[] COLORS = {"#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  private static final String[] DASHES = {"", "6 3", "2 3"};
  static final String ALERT = "#d62728";
  static final String THRESHOLD = "#000000";
  static final String REFERENCE = "#555555";

  String color(String segment) {
    return COLORS[index(segment) % COLORS.length];
  }

  /** The stroke-dasharray of the segment's line, empty for a solid line. */
  String dash(String segment) {
    return DASHES[(index(segment) / COLORS.length) % DASHES.length];
  }

  private int index(String segment) {
    return Math.max(0, segments.indexOf(segment));
  }

  /** The stroke attributes of the segment's line. */
  String stroke(String segment) {
    String dash = dash(segment);
    return "stroke=\"" + color(segment) + "\"" + (dash.isEmpty() ? ""
        : " stroke-dasharray=\"" + dash + "\"");
  }
}
