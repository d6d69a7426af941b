package io.sparkbce.monitor.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A chart's legend as HTML below it, not SVG text: entries wrap onto more lines as the page
 * needs, and a long segment label ({@code model_version=v1,segment=mobile}) wraps after its
 * commas instead of being cut, so every entry is shown whole. Besides the segments it explains
 * the threshold, the baseline band, reference lines and alert markers.
 */
final class Legend {
  private final List<String> entries = new ArrayList<>();

  /** A segment's line. */
  Legend segment(Palette palette, String segment) {
    return add("segment", segment, "<line x1=\"1\" x2=\"23\" y1=\"7\" y2=\"7\" stroke-width=\"3\" "
        + palette.stroke(segment) + "/><circle cx=\"12\" cy=\"7\" r=\"3\" fill=\""
        + palette.color(segment) + "\"/>");
  }

  Legend segments(Palette palette) {
    palette.segments().forEach(s -> segment(palette, s));
    return this;
  }

  /** A dashed horizontal line (threshold, reference value). */
  Legend line(String kind, String text, String color) {
    return add(kind, text, "<line x1=\"1\" x2=\"23\" y1=\"7\" y2=\"7\" stroke=\"" + color
        + "\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>");
  }

  /** The baseline band (drawn in each segment's colour, shown here in grey). */
  Legend band(String text) {
    return add("band", text, "<rect x=\"1\" y=\"1\" width=\"22\" height=\"12\" fill=\"#777\" "
        + "fill-opacity=\"0.2\"/>");
  }

  Legend alertMarker(String text) {
    return add("alert", text, AlertMarker.shape(12, 8));
  }

  private Legend add(String kind, String text, String swatch) {
    entries.add("<li class=\"legend-entry\" data-kind=\"" + kind + "\""
        + (kind.equals("segment") ? " data-segment=\"" + Svg.esc(text) + "\"" : "") + ">"
        + "<svg class=\"swatch\" width=\"24\" height=\"14\" aria-hidden=\"true\">" + swatch
        + "</svg><span class=\"legend-label\">" + breakable(text) + "</span></li>");
    return this;
  }

  /** Escaped text that may wrap after each comma (the text itself is unchanged). */
  private static String breakable(String text) {
    return Svg.esc(text).replace(",", ",<wbr>");
  }

  void render(StringBuilder b, String chartId) {
    b.append("<ul class=\"legend\" data-chart=\"").append(chartId).append("\">");
    entries.forEach(b::append);
    b.append("</ul>\n");
  }

  static final String CSS = "ul.legend{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;"
      + "padding:0;margin:4px 0 0 0;max-width:960px;font-size:12px}\n"
      + "li.legend-entry{display:flex;align-items:center;gap:4px;max-width:100%}\n"
      + "span.legend-label{overflow-wrap:anywhere}\n";
}
