package io.sparkbce.loss;

/**
 * log(1 + e^-a) for a >= 0, the one transcendental piece of the loss, computed from +, *, fma, /
 * and exponent bit arithmetic only.
 *
 * <p>Why not Math.exp / Math.log1p: reductions must give the same bits on every executor and
 * every retry (SPEC §1), so an element's loss must not depend on which code computed it. The JDK's
 * vectorised exp/log (SVML under C2, a per-lane fallback in the interpreter) and its scalar ones
 * disagree in the last bits, and the vector ones change bits when the JIT recompiles. These steps
 * are IEEE-exact operations, so the scalar method here and {@link VectorBlockKernel}, which repeats
 * them lane by lane in the same order, return identical bits, warm or cold. Accuracy: a few ulp.
 */
final class SoftplusTail {
  /** ln 2 split so that n * LN2_HI is exact for |n| < 2^11 (fdlibm's split). */
  static final double LN2_HI = 6.93147180369123816490e-01;
  static final double LN2_LO = 1.90821492927058770002e-10;
  static final double INV_LN2 = 1.44269504088896338700e+00;
  /** Adding and subtracting 1.5 * 2^52 rounds a double of magnitude < 2^51 to an integer. */
  static final double ROUND = 0x1.8p52;
  static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
  /** Beyond this e^-a is below half the smallest subnormal. */
  static final double UNDERFLOW = 745.2;
  /** 1/k! for k = 13 down to 2: Taylor series of e^r on |r| <= ln(2)/2, error < 1e-17. */
  static final double[] EXP_COEFFICIENTS = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5
  };

  private SoftplusTail() {}

  /**
   * Above this e, 1 + e > sqrt(2): log1p(e) = ln 2 + log((1 + e)/2), so that the series below
   * always runs on |s| <= 0.172 (s^2 <= 0.0295), as {@link Logarithm}'s does.
   */
  static final double UPPER = 0.41421356237309503;
  static final double Z_FLOOR = 0x1p-200;

  /** log(1 + e^-a); a must be >= 0 (infinity gives 0). NaN is the caller's business. */
  static double of(double a) {
    if (a > UNDERFLOW) {
      return 0.0;
    }
    return log1p(expMinus(a));
  }

  /**
   * log1p(e) for 0 <= e <= 1 from e itself, with one division: log(1 + e) = 2 atanh(s) for
   * s = e/(2 + e), or ln 2 + 2 atanh(s) for s = (e - 1)/(e + 3) above {@link #UPPER}. Why not
   * log(1 + e) with Goldberg's correction e/((1 + e) - 1), as before: 1 + e rounds away e's low
   * bits and the correction costs a second division; here e enters the quotient unrounded (e - 1
   * and e + 3, e + 2 round once each, relative 2^-53), so no correction is needed. t = 2s is formed
   * as 2e/(2 + e), exact for tiny and subnormal e (t = e), where e/2 would lose a subnormal's last
   * bit. The series is {@link Logarithm#series}. {@link VectorBlockKernel} repeats these
   * operations lane by lane in this order.
   */
  static double log1p(double e) {
    boolean upper = e > UPPER;
    double t = 2.0 * (upper ? e - 1.0 : e) / (upper ? e + 3.0 : e + 2.0);
    double h = 0.5 * t;
    // s^2 plus 2^-200, which cannot change the series (1 exactly for s^2 < 2^-60) but keeps z
    // normal: for |x| > 354, h*h alone underflows to a subnormal (slow on some CPUs).
    double q = Logarithm.series(Math.fma(h, h, Z_FLOOR));
    double k = upper ? 1.0 : 0.0;
    return Math.fma(k, LN2_HI, Math.fma(k, LN2_LO, t * q));
  }

  /** e^-a for 0 <= a <= UNDERFLOW. */
  static double expMinus(double a) {
    double z = -a;
    double shifted = z * INV_LN2 + ROUND;
    double n = shifted - ROUND;
    double r = Math.fma(-n, LN2_HI, z);
    r = Math.fma(-n, LN2_LO, r);
    double p = EXP_COEFFICIENTS[0];
    for (int k = 1; k < EXP_COEFFICIENTS.length; k++) {
      p = Math.fma(p, r, EXP_COEFFICIENTS[k]);
    }
    p = Math.fma(p, r, 1.0);
    p = Math.fma(p, r, 1.0);
    // 2^n in two normal factors, so that results down to the subnormals scale without overflow.
    long ni = Double.doubleToRawLongBits(shifted) - ROUND_BITS;
    long half = ni >> 1;
    double f1 = Double.longBitsToDouble((half + 1023) << 52);
    double f2 = Double.longBitsToDouble((ni - half + 1023) << 52);
    return p * f1 * f2;
  }
}
