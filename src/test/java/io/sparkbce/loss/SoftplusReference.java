package io.sparkbce.loss;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A cheap reference for log(1 + e^-a), a >= 0, in double-double arithmetic of its own, computed
 * differently from the code under test: e^-a = e^-k e^-f with k = floor(a) from a table built with
 * {@link HighPrecision}'s BigDecimal exp and f in [0, 1) by Taylor on f/16 then four squarings;
 * log1p by one Newton step on that exponential, or by its series for small arguments. Relative
 * error below 2^-84 where the result is at least 2^-900 (checked by the sweep against BigDecimal
 * on a sample); nothing here calls the main code. Results are {hi, lo, scale}: the value is
 * (hi + lo) * 2^scale, so tails far below the double range keep their digits.
 */
final class SoftplusReference {
  /** Claimed relative error bound (the analysis gives about 2^-86). */
  static final double ERROR = 0x1p-80;
  private static final int TABLE = 800;
  /** e^-k for k < TABLE as (hi + lo) 2^EXP_SCALE[k], hi in [1, 2). */
  private static final double[] EXP_HI = new double[TABLE];
  private static final double[] EXP_LO = new double[TABLE];
  private static final int[] EXP_SCALE = new int[TABLE];

  static {
    MathContext mc = new MathContext(50, RoundingMode.HALF_EVEN);
    for (int k = 0; k < TABLE; k++) {
      BigDecimal e = HighPrecision.exp(BigDecimal.valueOf(-k)).round(mc);
      // Scale into [1, 2): e = m 2^s.
      int s = (int) Math.floor(-k / Math.log(2));
      BigDecimal m = e.multiply(new BigDecimal(java.math.BigInteger.ONE.shiftLeft(-s)));
      while (m.compareTo(BigDecimal.ONE) < 0) {
        m = m.multiply(BigDecimal.valueOf(2));
        s--;
      }
      while (m.compareTo(BigDecimal.valueOf(2)) >= 0) {
        m = m.divide(BigDecimal.valueOf(2));
        s++;
      }
      double hi = m.doubleValue();
      EXP_HI[k] = hi;
      EXP_LO[k] = m.subtract(new BigDecimal(hi)).doubleValue();
      EXP_SCALE[k] = s;
    }
  }

  private SoftplusReference() {}

  // ---------------------------------------------------------------- double-double helpers

  private static double[] twoSum(double a, double b) {
    double s = a + b;
    double bb = s - a;
    return new double[] {s, (a - (s - bb)) + (b - bb)};
  }

  private static double[] norm(double hi, double lo) {
    return twoSum(hi, lo);
  }

  private static double[] mul(double[] a, double[] b) {
    double p = a[0] * b[0];
    double e = Math.fma(a[0], b[0], -p) + (a[0] * b[1] + a[1] * b[0]);
    return norm(p, e);
  }

  private static double[] add(double[] a, double[] b) {
    double[] s = twoSum(a[0], b[0]);
    return norm(s[0], s[1] + a[1] + b[1]);
  }

  private static double[] divByInt(double[] a, int d) {
    double q = a[0] / d;
    double r = Math.fma(-q, d, a[0]) + a[1];
    return norm(q, r / d);
  }

  // ---------------------------------------------------------------- the functions

  /** e^-f for 0 <= f < 1: Taylor of e^-(f/16) to degree 14, squared four times. */
  private static double[] expMinusFraction(double f) {
    double g = f / 16; // exact
    double[] sum = {1, 0};
    double[] term = {1, 0};
    for (int j = 1; j <= 14; j++) {
      term = divByInt(mul(term, new double[] {-g, 0}), j);
      sum = add(sum, term);
    }
    for (int i = 0; i < 4; i++) {
      sum = mul(sum, sum);
    }
    return sum;
  }

  /** e^-a = (hi + lo) 2^scale for 0 <= a < TABLE. */
  static double[] expMinus(double a) {
    int k = (int) Math.floor(a);
    double f = a - k; // exact: a and k share the binade's grid (a < 2^53)
    double[] e = mul(new double[] {EXP_HI[k], EXP_LO[k]}, expMinusFraction(f));
    return new double[] {e[0], e[1], EXP_SCALE[k]};
  }

  /** log(1 + e^-a) = (hi + lo) 2^scale for 0 <= a < TABLE - 1. */
  static double[] softplusTail(double a) {
    double[] e = expMinus(a);
    int scale = (int) e[2];
    if (scale < -40) {
      // e < 2^-39: log1p(e) = e (1 - e/2 + e^2/3 - ...); e^2/3 < 2^-78, e^3/4 < 2^-117 of e.
      double v = Math.scalb(e[0], scale);
      double[] bracket = add(new double[] {1, 0}, new double[] {-v / 2 + v * v / 3, 0});
      double[] t = mul(new double[] {e[0], e[1]}, bracket);
      return new double[] {t[0], t[1], scale};
    }
    double[] ev = {Math.scalb(e[0], scale), Math.scalb(e[1], scale)};
    if (ev[0] < 0x1p-12) {
      // Series: e - e^2/2 + e^3/3 - e^4/4 + e^5/5 - e^6/6 - ...: terms beyond e^8 < 2^-96 of e.
      double[] sum = {0, 0};
      double[] power = {1, 0};
      for (int j = 1; j <= 8; j++) {
        power = mul(power, ev);
        double[] term = divByInt(power, j);
        sum = add(sum, (j & 1) == 1 ? term : new double[] {-term[0], -term[1]});
      }
      return new double[] {sum[0], sum[1], 0};
    }
    // Newton on exp: t1 = t0 + (1 + e) e^-t0 - 1, t0 within a few ulp; t >= 2^-12.1.
    double t0 = Math.log1p(ev[0]);
    double[] back = expMinusSmall(t0);
    double[] r = add(mul(add(new double[] {1, 0}, ev), back), new double[] {-1, 0});
    double[] t = add(new double[] {t0, 0}, r);
    return new double[] {t[0], t[1], 0};
  }

  /** e^-t for 0 <= t <= ln 2 + 2^-40 (the table handles the integer part 0). */
  private static double[] expMinusSmall(double t) {
    return expMinusFraction(t);
  }
}
