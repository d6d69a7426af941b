package io.sparkbce.monitor.report;

/**
 * The mark of a window that breaks an alert rule: a red triangle with a dark edge, a colour and a
 * shape no series uses (series are circles on lines in the {@link Palette} colours).
 */
final class AlertMarker {
  private AlertMarker() {}

  /** The triangle centred on (x, y). */
  static String shape(double x, double y) {
    double r = 6.5;
    return "<path d=\"M" + Svg.f(x) + "," + Svg.f(y - r) + " L" + Svg.f(x + r) + ","
        + Svg.f(y + r * 0.75) + " L" + Svg.f(x - r) + "," + Svg.f(y + r * 0.75) + " Z\" fill=\""
        + Palette.ALERT + "\" stroke=\"#400\" stroke-width=\"1\"/>";
  }
}
