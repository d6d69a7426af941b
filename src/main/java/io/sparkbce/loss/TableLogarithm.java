package io.sparkbce.loss;

/**
 * log q and log(1 - q) for a probability q as double-doubles to 2^-68.6 relative, from
 * {@link TableSoftplus}'s table of 1/v (C, MINUS_LOG_C_HI/LO) and its series coefficients: the
 * first tier of {@link CorrectlyRounded#probabilities}. Only +, *, fma, exponent bits and table
 * reads: the same bits on every JVM and JIT state. u = 2^-53.
 *
 * <p>Near 1 the argument's distance to 1, t, is exact (Sterbenz) and the series of log1p(t) runs
 * on it directly; elsewhere v = 2^k m, m in [1, 2), and log v = k ln 2 - log c + log1p(t) with
 * c = C[i] ~ 1/m and t = m c - 1 exact as a double-double.
 */
final class TableLogarithm {
  /**
   * Proven relative error of {@link #log} and {@link #log1mq}: 2^-68.68 (the direct series near 1,
   * |t| < 2^-8); the table's branch is within 2^-70.8. Underflow (t = -q tiny) stays below
   * 2^-530 relative: products below 2^-1022 lose at most 2^-1074 each, and are nonzero only when
   * |t| >= 2^-538.
   */
  static final double ERROR = 0x1.4p-69;
  /** Arguments within this of 1 take the series directly. */
  static final double NEAR = 0x1p-8;
  private static final double MIN_NORMAL = 0x1p-1022;

  private TableLogarithm() {}

  /** out = log q for 0 < q <= 1 (subnormal q included), relative error <= {@link #ERROR}. */
  static void log(double q, DoubleDouble out) {
    if (q > 1.0 - NEAR) {
      // q in (1 - 2^-8, 1]: t = q - 1 exact (Sterbenz), -2^-8 < t <= 0.
      series(q - 1.0, 0.0, 0.0, 0.0, out);
    } else if (q >= MIN_NORMAL) {
      table(q, 0.0, 0, out);
    } else {
      table(q * 0x1p54, 0.0, -54, out); // exact: subnormals scaled into the normal range
    }
  }

  /** out = log(1 - q) for 0 <= q < 1, relative error <= {@link #ERROR} (log 1 = 0 exactly). */
  static void log1mq(double q, DoubleDouble out) {
    if (q < NEAR) {
      // t = -q exact, -2^-8 < t <= 0.
      series(-q, 0.0, 0.0, 0.0, out);
      return;
    }
    // 1 - q = vh + vl by Fast2Sum (|1| >= q: exact). q >= 1/2: vl = 0 (Sterbenz); q < 1/2:
    // vh in [1/2, 1 - 2^-8], |vl| <= 2^-54 on a 2^-60 grid (q >= 2^-8 is).
    double vh = 1.0 - q;
    double vl = (1.0 - vh) - q;
    table(vh, vl, 0, out);
  }

  /**
   * out = log(2^shift (vh + vl)) for vh a positive normal double <= 1 - 2^-8, |vl| <= 2^-54 vh
   * (exact), 2^shift (vh + vl) <= 1 - 2^-8: relative error <= 2^-70.8.
   */
  private static void table(double vh, double vl, int shift, DoubleDouble out) {
    // v = 2^k (m + ml), m in [1, 2): exponent bits, -1076 <= k <= -1; ml = 2 vl exact (vl != 0
    // only when vh is in [1/2, 1), whose exponent is -1).
    long bits = Double.doubleToRawLongBits(vh);
    double k = (int) (bits >>> 52) - 1023 + shift;
    double m = Double.longBitsToDouble((bits & DoubleDoubleMath.MANTISSA)
        | DoubleDoubleMath.ONE_BITS);
    double ml = 2.0 * vl;
    // c = C[i] for m in [1 + i/256, 1 + (i+1)/256): |m c - 1| <= 2^-8.72 (checked over the 256
    // intervals' ends in exact arithmetic), ml adds 2^-53: |t| <= 2^-8.71.
    int i = (int) ((bits >>> 44) & 0xFF);
    double c = TableSoftplus.C[i];
    // t = (m + ml) c - 1: m c = ph + pl exact (2MultFMA), ph - 1 exact (Sterbenz: ph within
    // 2^-8.7 of 1), ml c and pl + ml c rounded (|ml c| <= 2^-53, |pl| <= 2^-53: 2^-105 absolute,
    // 0 when ml = 0); (th, tl) by 2Sum (exact), |tl| <= u |th|.
    double ph = m * c;
    double pl = Math.fma(m, c, -ph);
    double t0 = ph - 1.0;
    double t1 = pl + ml * c;
    double th = t0 + t1;
    double bb = th - t0;
    double tl = (t0 - (th - bb)) + (t1 - bb);
    // k ln 2 = kh + ke + k LN2_LO: kh + ke exact (2MultFMA, no underflow), the rest rounded at
    // u |kl| <= 2^-105 |k ln 2|; LN2_HI + LN2_LO within 2^-158 of ln 2.
    double kh = k * DoubleDoubleMath.LN2_HI;
    double kl = Math.fma(k, DoubleDoubleMath.LN2_LO, Math.fma(k, DoubleDoubleMath.LN2_HI, -kh));
    // a = k ln 2 - log c: kh + lh by Fast2Sum (exact: |kh| >= LN2_HI >= lh = RN(-log c) >= 0,
    // c in [1/2, 1]); the table's hi + lo within 2^-105.9 of -log c; the lows added below.
    double lh = TableSoftplus.MINUS_LOG_C_HI[i];
    double ah = kh + lh;
    double al = (lh - (ah - kh)) + (kl + TableSoftplus.MINUS_LOG_C_LO[i]);
    // log v = a + log1p(t). |log v| >= 2^-8 here (v <= 1 - 2^-8) and |a|, |log1p(t)| <= 2 |log v|:
    // the series' 2^-70.2 |t| is 2^-70.9 |log v|; t's 2^-105 absolute and the roundings of the
    // lows (about ten terms below 2^-51 |a| each) 2^-96 |log v|. In all <= 2^-70.8 |log v|.
    series(th, tl, ah, al, out);
  }

  /**
   * out = (ah + al) + log1p(th + tl) with |th| <= 2^-8, |tl| <= u |th|, th + tl > -1.
   * Relative to |t|: 2^-68.75 when |t| <= 2^-8, 2^-70.2 when |t| <= 2^-8.71; the sum with
   * a = ah + al as two exact 2Sums, the lows rounded at 2^-101 (|a| + |log1p t|).
   */
  private static void series(double th, double tl, double ah, double al, DoubleDouble out) {
    // log1p(t) = t - t^2/2 + t^3 R(t), R's series cut after t^9/9 (LOG_R, degree 6 in t):
    // - truncation: |t|^10/10 / (1 - |t|) <= 2^-75.3 |t|;
    // - th^2 = sh + sl exact (2MultFMA); R(th) by Horner in fma, 1.51u (1/3's rounding u/2, the
    //   last fma u, the rest |t| smaller); z = th r (u); cubic = RN(sh z + RN(sl z)) = th^2 z
    //   (u + u^2): 3.51u of |th^3 R| <= 0.3343 th^2 |t| <= 2^-17.58 |t|: 2^-68.77 |t|;
    // - t = th + tl: -(th+tl)^2/2 = -th^2/2 - th tl - tl^2/2 and t^3 R(t) - th^3 R(th) =
    //   tl th^2 (1 - th + ...): rest keeps tl - th tl + th^2 tl - sl/2, drops tl^2/2 and
    //   tl th^3 (2^-77 |t|), rounds at 3u of 2^-52.9 |t| (2^-104 |t|).
    // In all 2^-68.75 |t| (|t| <= 2^-8) or 2^-70.2 |t| (|t| <= 2^-8.71). With t <= 0 (the direct
    // branches) |log1p t| >= |t|.
    // Underflow (only on the direct branch, t = -q): products below 2^-1022 lose bits, 2^-1074
    // each; they are nonzero only when |t| >= 2^-538, so below 2^-530 |t|.
    double sh = th * th;
    double sl = Math.fma(th, th, -sh);
    double[] coefficients = TableSoftplus.LOG_R;
    double r = coefficients[0];
    for (int j = 1; j < coefficients.length; j++) {
      r = Math.fma(r, th, coefficients[j]);
    }
    double z = th * r;
    double cubic = Math.fma(sh, z, sl * z);
    double rest = (tl - th * tl) + (sh * tl - 0.5 * sl);
    // th - sh/2 by Fast2Sum (|th| > sh/2, exact), plus cubic by Fast2Sum (|s| > |cubic|, exact).
    double half = -0.5 * sh;
    double s = th + half;
    double s1 = half - (s - th);
    double p = s + cubic;
    double p1 = cubic - (p - s);
    // a + p by 2Sum (exact; a may cancel p's sign), then the lows: al (<= 2^-51 |a|), s1, p1
    // (<= u |p|), rest (<= 2^-52.9 |t|), each sum rounded at u of <= 2^-49 (|a| + |p|).
    double b = ah + p;
    double bb = b - ah;
    double b1 = (ah - (b - bb)) + (p - bb);
    out.fastTwoSum(b, (b1 + (s1 + p1)) + (rest + al));
  }
}
