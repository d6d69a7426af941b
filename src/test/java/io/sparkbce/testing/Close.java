package io.sparkbce.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comparisons with the golden {@code exact} values: {@link #assertExact} for float64 cases (the
 * loss is correctly rounded, SPEC §1, so it equals the true value rounded once); the README's
 * relative 1e-14 (absolute 1e-300) where the inputs were float32 and the case is about PyTorch's
 * single-precision arithmetic. NaN and infinities compare exactly.
 */
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

  /** The same double (0 ulp; +0.0 and -0.0 count as equal), or both NaN. */
  public static void assertExact(double exact, Double actual, String what) {
    assertTrue(actual != null, what + ": expected " + exact + " but got NULL");
    if (!(actual == exact || (Double.isNaN(exact) && Double.isNaN(actual)))) {
      assertEquals(exact, actual.doubleValue(), what + " (must be the correctly rounded value: "
          + Math.round((actual - exact) / Math.ulp(exact)) + " ulp away)");
    }
  }

  /** {@link #assertExact} for float64 cases, {@link #assertClose} for float32 ones. */
  public static void assertGolden(boolean float32, double exact, Double actual, String what) {
    if (float32) {
      assertClose(exact, actual, what);
    } else {
      assertExact(exact, actual, what);
    }
  }

  public static void assertClose(double exact, Double actual, String what) {
    assertTrue(actual != null, what + ": expected " + exact + " but got NULL");
    if (!close(actual, exact)) {
      assertEquals(exact, actual.doubleValue(), what + " (relative 1e-14)");
    }
  }
}
