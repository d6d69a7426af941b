package io.sparkbce.loss;

import java.math.BigDecimal;

/**
 * e^-a and logarithms as double-doubles with a proven relative error, for the fast path of
 * {@link CorrectlyRounded}. Only +, *, /, fma and exponent bits: results are the same bits on
 * every JVM and JIT state. u = 2^-53; bounds per step are in the comments, operation bounds in
 * {@link DoubleDouble}.
 */
final class DoubleDoubleMath {
  /** ln 2 to 40 digits, from which the split constants below are derived once. */
  static final BigDecimal LN2 = new BigDecimal("0.6931471805599453094172321214581765680755");
  /** ln 2 = LN2_HI + LN2_LO with |error| < 2^-158 (CRlibm's split). */
  static final double LN2_HI = 0x1.62e42fefa39efp-1;
  static final double LN2_LO = 0x1.abc9e3b39803fp-56;
  /** fdlibm's Cody-Waite split: LN2_CW1 has 32 significant bits, so n * LN2_CW1 is exact. */
  static final double LN2_CW1 = 6.93147180369123816490e-01;
  static final double LN2_CW2 = 1.90821492927058770002e-10;
  /** ln 2 - CW1 - CW2, below 2^-86; the rest is below 2^-139. */
  static final double LN2_CW3 = LN2.subtract(new BigDecimal(LN2_CW1))
      .subtract(new BigDecimal(LN2_CW2)).doubleValue();
  static final double INV_LN2 = 1.44269504088896338700e+00;
  /** Adding and subtracting 1.5 * 2^52 rounds a double of magnitude < 2^51 to an integer. */
  static final double ROUND = 0x1.8p52;
  static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
  /** Beyond this, e^-a < 2^-1075: taken as 0 with absolute error below 2^-1075. */
  static final double EXP_UNDERFLOW = 746.0;
  static final double SQRT2 = 1.4142135623730951;
  static final double SQRT2_MINUS_1 = 0.41421356237309503;
  static final long MANTISSA = 0xFFFFFFFFFFFFFL;
  static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

  /** 1/k! for k = 13 down to 7, plain doubles (the tail of expm1, see {@link #expMinus}). */
  static final double[] EXP_TAIL = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
    1.0 / 40320.0, 1.0 / 5040.0
  };
  /** 1/k! for k = 6 down to 2 as double-doubles: hi then lo. */
  static final double[] EXP_HEAD = reciprocals(720, 120, 24, 6, 2);
  /** 1/(2j+1) for j = 18 down to 9, plain doubles (the tail of atanh, see {@link #logRatio}). */
  static final double[] ATANH_TAIL = {
    1.0 / 37, 1.0 / 35, 1.0 / 33, 1.0 / 31, 1.0 / 29, 1.0 / 27, 1.0 / 25, 1.0 / 23, 1.0 / 21,
    1.0 / 19
  };
  /** 1/(2j+1) for j = 8 down to 1 as double-doubles. */
  static final double[] ATANH_HEAD = reciprocals(17, 15, 13, 11, 9, 7, 5, 3);

  private DoubleDoubleMath() {}

  /** 1/d for each integer d as hi, lo pairs: hi = RN(1/d), lo = RN((1 - hi*d)/d). */
  private static double[] reciprocals(double... ds) {
    double[] r = new double[2 * ds.length];
    for (int i = 0; i < ds.length; i++) {
      double h = 1.0 / ds[i];
      r[2 * i] = h;
      r[2 * i + 1] = Math.fma(-h, ds[i], 1.0) / ds[i]; // the remainder 1 - h*d is exact
    }
    return r;
  }

  /**
   * out = e^-a for 0 <= a (finite): relative error <= 2^-95, plus an absolute error below
   * 2^-1073 from underflow, which shows once the result is below 2^-969 (its low part is then
   * subnormal) and takes over below 2^-1022 (beyond a = 746 the result is 0).
   */
  static void expMinus(double a, DoubleDouble out) {
    if (a > EXP_UNDERFLOW) {
      out.set(0.0, 0.0);
      return;
    }
    double z = -a;
    // n = z / ln 2 rounded (any integer with |r| <= 0.3466 + 2^-30 does); |n| <= 1077.
    double shifted = z * INV_LN2 + ROUND;
    double n = shifted - ROUND;
    // r1 = z - n*CW1 exactly: n*CW1 is exact, and r1 is a multiple of 2^-54 below 2^-1.
    double r1 = Math.fma(-n, LN2_CW1, z);
    // r = r1 - n*CW2 - n*CW3: 2Sum exact, |n*CW2 error term| <= 2^-74, |n*CW3| <= 2^-75;
    // absolute error of r <= 2^-106 (roundings of the small terms, and n*(ln2-CW1-CW2-CW3)).
    double p2 = n * LN2_CW2;
    double p2e = Math.fma(n, LN2_CW2, -p2);
    DoubleDouble r = new DoubleDouble().twoSum(r1, -p2);
    double rl = r.lo - (p2e + n * LN2_CW3);
    r.twoSum(r.hi, rl);
    // expm1(r/16), |r/16| <= 0.02167 (2^-5.52), to relative error 2^-97:
    // first neglected term r^14/14! is below 2^-108 of r; the tail k = 7..13 in plain doubles on
    // rh alone weighs r^6/7! <= 2^-45.5 of r, so its rounding and rl are below 2^-97.
    double rh = r.hi * 0x1p-4;
    double rlo = r.lo * 0x1p-4;
    // Head k = 6..2 and the 1: double-double Horner, 6 steps of <= 4u^2 + 3u^2 each.
    DoubleDouble s = horner(EXP_TAIL, EXP_HEAD, rh, rlo, out);
    s.mul(rh, rlo).add(1.0);
    s.mul(rh, rlo);
    // Four squarings e^(2v) - 1 = U (2 + U): each scales the relative error by <= 1.27 and adds
    // <= 6u^2, so U = e^r - 1 to 2^-95.5 relative, |U| <= 0.42; then 1 + U to 2^-95.
    for (int i = 0; i < 4; i++) {
      double uh = s.hi;
      double ul = s.lo;
      s.add(2.0).mul(uh, ul);
    }
    s.add(1.0);
    // 2^n in two normal factors (exact products, or one rounding into the subnormals).
    long ni = Double.doubleToRawLongBits(shifted) - ROUND_BITS;
    long half = ni >> 1;
    double f1 = Double.longBitsToDouble((half + 1023) << 52);
    double f2 = Double.longBitsToDouble((ni - half + 1023) << 52);
    out.set(s.hi * f1 * f2, s.lo * f1 * f2);
  }

  /**
   * out = the polynomial with coefficients {@code tail} (plain doubles, highest degree first)
   * evaluated in doubles on xh, continued with {@code head} (hi, lo pairs) in double-double on
   * xh + xl: the low-degree terms, which carry the result's digits, get the full precision.
   */
  private static DoubleDouble horner(
      double[] tail, double[] head, double xh, double xl, DoubleDouble out) {
    double q = tail[0];
    for (int k = 1; k < tail.length; k++) {
      q = Math.fma(q, xh, tail[k]);
    }
    out.set(q, 0.0);
    for (int k = 0; k < head.length; k += 2) {
      out.mul(xh, xl).add(head[k], head[k + 1]);
    }
    return out;
  }

  /**
   * out = log(1 + e) for e = eh + el in [0, 1]: relative error <= 2^-98 (before e's own error,
   * which log1p does not amplify: (de/e) * e/((1+e) log(1+e)) <= de/e).
   */
  static void log1p(double eh, double el, DoubleDouble out) {
    DoubleDouble num = new DoubleDouble();
    DoubleDouble den = new DoubleDouble();
    if (eh <= SQRT2_MINUS_1) {
      // m = 1 + e <= sqrt 2: s = e / (2 + e); numerator exact, denominator 2u^2.
      num.set(eh, el);
      den.set(2.0, 0.0).add(eh, el);
      logRatio(num, den, 0, out);
    } else {
      // m = (1 + e)/2 in (0.707, 1]: s = (e - 1)/(e + 3), each 2u^2.
      num.set(-1.0, 0.0).add(eh, el);
      den.set(3.0, 0.0).add(eh, el);
      logRatio(num, den, 1, out);
    }
  }

  /** out = log(v) for a positive normal double v: relative error <= 2^-98. */
  static void log(double v, DoubleDouble out) {
    long bits = Double.doubleToRawLongBits(v);
    double k = (int) ((bits >>> 52) & 0x7FF) - 1023;
    double m = Double.longBitsToDouble((bits & MANTISSA) | ONE_BITS);
    if (m > SQRT2) {
      m *= 0.5;
      k += 1.0;
    }
    // m in (0.707, 1.414]: m - 1 exact (Sterbenz), m + 1 exact as a double-double.
    DoubleDouble num = new DoubleDouble().set(m - 1.0, 0.0);
    DoubleDouble den = new DoubleDouble().fastTwoSum(1.0, m);
    logRatio(num, den, k, out);
  }

  /** out = log(1 - q) for q in [0, 1): relative error <= 2^-98. */
  static void log1pMinus(double q, DoubleDouble out) {
    if (q > 0.5) {
      log(1.0 - q, out); // exact subtraction (Sterbenz)
      return;
    }
    DoubleDouble num = new DoubleDouble();
    DoubleDouble den = new DoubleDouble();
    if (q <= 1.0 - 0.7071067811865476) {
      // m = 1 - q >= 0.707: s = -q / (2 - q).
      num.set(-q, 0.0);
      den.fastTwoSum(2.0, -q);
      logRatio(num, den, 0, out);
    } else {
      // m = 2(1 - q) in [1, 1.414): s = (1 - 2q)/(3 - 2q), 1 - 2q exact (Sterbenz).
      num.set(1.0 - 2.0 * q, 0.0);
      den.fastTwoSum(3.0, -2.0 * q);
      logRatio(num, den, -1, out);
    }
  }

  /**
   * out = k ln 2 + 2 atanh(s), s = num/den, |s| <= 0.1716 (that is log(m) with
   * s = (m-1)/(m+1), m in [0.707, 1.414]). Relative error <= 2^-98.
   */
  private static void logRatio(DoubleDouble num, DoubleDouble den, double k, DoubleDouble out) {
    // s: 15u^2 + the arguments' 2u^2 each.
    DoubleDouble s = num.div(den.hi, den.lo);
    double sh = s.hi;
    double sl = s.lo;
    // z = s^2 <= 0.02944 (2^-5.08): 4u^2 + 2 * s's error.
    DoubleDouble z = den.set(sh, sl).mul(sh, sl);
    double zh = z.hi;
    double zl = z.lo;
    // atanh(s)/s = sum z^j/(2j+1): the first neglected term z^19/39 < 2^-101.9; the tail
    // j = 9..18 in plain doubles on zh weighs z^9/19 < 2^-50, so its rounding stays below 2^-102.
    // Head j = 8..1, then 1 + z*S, then times 2s: 10 double-double steps of <= 7u^2.
    DoubleDouble r = horner(ATANH_TAIL, ATANH_HEAD, zh, zl, out);
    r.mul(zh, zl).add(1.0);
    r.mul(2.0 * sh, 2.0 * sl);
    if (k != 0.0) {
      // k ln 2 (|k| <= 1075): 2u^2; the sum has no cancellation beyond a factor 2: 3u^2.
      DoubleDouble kl = num.set(LN2_HI, LN2_LO).mul(k);
      r.add(kl.hi, kl.lo);
    }
  }
}
