package io.sparkbce.monitor.rollup;

import io.sparkbce.monitor.WindowAlignment;

/**
 * Coarse windows of one length, starting at multiples of it since 1970-01-01 00:00 UTC: the
 * windows {@code monitor --window} computes (Spark's tumbling windows), so that a roll-up and a
 * window computed from the data cover the same rows. Windows of 7 days start on Thursdays (the
 * weekday of 1970-01-01).
 */
record FixedWindows(String text, long millis) implements CoarseWindows {
  /** {@code text} normalised by {@code MonitorOptions.window}. */
  static FixedWindows of(String text) {
    return new FixedWindows(text, WindowAlignment.millis(text));
  }

  @Override
  public long start(long t) {
    return Math.floorDiv(t, millis) * millis;
  }

  @Override
  public long end(long start) {
    return start + millis;
  }

  @Override
  public String whyNotNested(String fine, long fineMillis) {
    if (millis <= fineMillis) {
      return "--rollup " + text + " is not longer than the history's windows (" + fine
          + "); a roll-up merges several windows into a longer one";
    }
    if (millis % fineMillis != 0) {
      return "windows of " + fine + " do not nest in windows of " + text + ": " + text
          + " is not a multiple of " + fine + ", so some " + fine + " windows would straddle two "
          + "roll-up windows";
    }
    return null;
  }
}
