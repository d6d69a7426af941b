package io.sparkbce.monitor.rollup;

import java.sql.Timestamp;

/** A window start as monitor's table and messages show it (JVM time zone, no ".0"). */
final class WindowText {
  private WindowText() {}

  static String shown(Timestamp t) {
    return t.toString().replaceAll("\\.0$", "");
  }
}
