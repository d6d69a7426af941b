package io.sparkbce.loss;

/**
 * The natural logarithm of BCELoss's probabilities, from +, *, fma, / and exponent bits only, for
 * the reason {@link SoftplusTail} gives: the scalar code here and the lanes of
 * {@link VectorBlockKernel} perform the same IEEE operations in the same order, so a loss has the
 * same bits whichever computed it. Accuracy: a few ulp.
 */
final class Logarithm {
  /** Below this, log(v) < -100: BCELoss's clamp applies (this also keeps subnormals out). */
  static final double CLAMPED_BELOW = 0x1p-145;
  static final double CLAMP = -100.0;
  static final long MANTISSA = 0xFFFFFFFFFFFFFL;
  static final long ONE_BITS = Double.doubleToRawLongBits(1.0);
  static final double SQRT2 = 1.4142135623730951;
  /** 1/(2k+1) for k = 12 down to 1: log(m) = 2s(1 + s^2/3 + s^4/5 + ...), s^2 <= 0.0295. */
  static final double[] COEFFICIENTS = {
    1.0 / 25, 1.0 / 23, 1.0 / 21, 1.0 / 19, 1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9,
    1.0 / 7, 1.0 / 5, 1.0 / 3
  };

  private Logarithm() {}

  /** max(log(v), -100) for 0 <= v <= 1; NaN is the caller's business. */
  static double clamped(double v) {
    if (v < CLAMPED_BELOW) {
      return CLAMP;
    }
    return Math.max(of(v), CLAMP);
  }

  /** max(log1p(-q), -100) for 0 <= q <= 1, accurate also where q is tiny. */
  static double clampedLog1pMinus(double q) {
    double u = 1.0 - q;
    if (u < CLAMPED_BELOW) {
      return CLAMP;
    }
    // Goldberg: log1p(x) = log(u) * x / (u - 1) with u = 1 + x rounded; x itself where u == 1.
    double r = u == 1.0 ? -q : of(u) * (-q / (u - 1.0));
    return Math.max(r, CLAMP);
  }

  /**
   * 1 + z/3 + z^2/5 + ... + z^12/25 by Horner's rule in fma: atanh(s)/s for z = s^2 <= 0.0295. Also
   * {@link SoftplusTail#log1p}'s series; the vector kernel repeats these operations lane by lane.
   */
  static double series(double z) {
    double[] c = COEFFICIENTS;
    double q = c[0];
    for (int i = 1; i < c.length; i++) {
      q = Math.fma(q, z, c[i]);
    }
    return Math.fma(q, z, 1.0);
  }

  /**
   * log(v) for a positive normal v: v = m * 2^k with m in (sqrt(1/2), sqrt(2)], then
   * log(m) = 2s(1 + s^2/3 + s^4/5 + ...) with s = (m - 1)/(m + 1), |s| <= 0.172.
   */
  static double of(double v) {
    long bits = Double.doubleToRawLongBits(v);
    // The biased exponent as a double without an int-to-double conversion, as the lanes do it.
    double k = Double.longBitsToDouble((bits >>> 52) + SoftplusTail.ROUND_BITS)
        - SoftplusTail.ROUND - 1023.0;
    double m = Double.longBitsToDouble((bits & MANTISSA) | ONE_BITS);
    boolean upper = m > SQRT2;
    m = upper ? m * 0.5 : m;
    k = upper ? k + 1.0 : k;
    double s = (m - 1.0) / (m + 1.0);
    double logM = 2.0 * s * series(s * s);
    return Math.fma(k, SoftplusTail.LN2_HI, Math.fma(k, SoftplusTail.LN2_LO, logM));
  }
}
