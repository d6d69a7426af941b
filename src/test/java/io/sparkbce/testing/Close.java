package io.sparkbce.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The golden README's comparison: relative 1e-14, absolute 1e-300; NaN and infinities exactly. */
public final class Close {
  public static final double RELATIVE = 1e-14;
  public static final double ABSOLUTE = 1e-300;

  private Close() {}

  public static boolean close(double actual, double exact) {
    if (Double.isNaN(exact) || Double.isInfinite(exact)) {
      return Double.compare(actual, exact) == 0;
    }
    return Math.abs(actual - exact) <= RELATIVE * Math.abs(exact) + ABSOLUTE;
  }

  public static void assertClose(double exact, Double actual, String what) {
    assertTrue(actual != null, what + ": expected " + exact + " but got NULL");
    if (!close(actual, exact)) {
      assertEquals(exact, actual.doubleValue(), what + " (relative 1e-14)");
    }
  }
}
