package io.sparkbce.loss;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * log(1 + e^-a) as a double-double to 2^-68 relative, from two small tables: the first tier of
 * {@link CorrectlyRounded}. Mostly plain double arithmetic: each table removes most of the
 * argument, so only the leading terms of each series need double-double care. Only +, *, fma
 * and exponent bits: the same bits on every JVM and JIT state. u = 2^-53.
 */
final class TableSoftplus {
  /** Proven relative error of {@link #tail}: 2^-73 from e^-a, 2^-68.3 from the logarithm. */
  static final double ERROR = 0x1p-68;
  /** The domain: beyond, e^-a < 2^-966 and low parts would lose bits in the subnormals. */
  static final double LARGEST = 670.0;

  /** 64/ln 2, and ln 2/64 split as fdlibm's Cody-Waite ln 2 (CW1 32 bits) divided by 64. */
  static final double INV_STEP = 64 * DoubleDoubleMath.INV_LN2;
  static final double STEP1 = DoubleDoubleMath.LN2_CW1 / 64;
  static final double STEP2 = DoubleDoubleMath.LN2_CW2 / 64;
  static final double STEP3 = DoubleDoubleMath.LN2_CW3 / 64;
  /** 1/k! for k = 8 down to 3: e^r - 1 - r - r^2/2 = r^3 Q(r). */
  static final double[] EXP_Q = {
    1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6
  };
  /** (-1)^(k+1)/k for k = 9 down to 3: log1p(t) - t + t^2/2 = t^3 R(t). */
  static final double[] LOG_R = {
    1.0 / 9, -1.0 / 8, 1.0 / 7, -1.0 / 6, 1.0 / 5, -1.0 / 4, 1.0 / 3
  };
  /** 2^(-j/64), j = 0..63, hi and lo (relative error 2^-106). */
  static final double[] POW2_HI = new double[64];
  static final double[] POW2_LO = new double[64];
  /**
   * For v in [1 + i/256, 1 + (i+1)/256): C[i] ~ 1/v on a 2^-10 grid (so |v C[i] - 1| <= 2^-8.41),
   * and -log C[i] as hi, lo. i = 256 is v = 2 (e^-0).
   */
  static final int LOG_STEPS = 256;
  static final double[] C = new double[LOG_STEPS + 1];
  static final double[] MINUS_LOG_C_HI = new double[LOG_STEPS + 1];
  static final double[] MINUS_LOG_C_LO = new double[LOG_STEPS + 1];
  static final double SMALL = 0x1p-8;

  static {
    MathContext mc = new MathContext(45);
    BigDecimal step = DoubleDoubleMath.LN2.divide(BigDecimal.valueOf(64), mc);
    for (int j = 0; j < 64; j++) {
      BigDecimal v = ArbitraryPrecision.expMinus(step.multiply(BigDecimal.valueOf(j)), mc);
      POW2_HI[j] = ArbitraryPrecision.toDouble(v);
      POW2_LO[j] = ArbitraryPrecision.toDouble(v.subtract(new BigDecimal(POW2_HI[j])));
    }
    for (int i = 0; i <= LOG_STEPS; i++) {
      double mid = 1 + (i + 0.5) / LOG_STEPS;
      C[i] = Math.rint(1024 / mid) / 1024;
      BigDecimal v = ArbitraryPrecision.log(new BigDecimal(C[i]), mc).negate();
      MINUS_LOG_C_HI[i] = ArbitraryPrecision.toDouble(v);
      MINUS_LOG_C_LO[i] = ArbitraryPrecision.toDouble(v.subtract(new BigDecimal(MINUS_LOG_C_HI[i])));
    }
  }

  private TableSoftplus() {}

  /**
   * out = log(1 + e^-a) for 0 <= a <= {@link #LARGEST}, relative error <= {@link #ERROR}, plus an
   * absolute 2^-1075 from the rest's underflow (below 2^-108 relative in the domain).
   */
  static void tail(double a, DoubleDouble out) {
    expMinus(a, out);
    log1p(out.hi, out.lo, out);
  }

  /**
   * out = e^-a for 0 <= a <= {@link #LARGEST}: relative error <= 2^-73, |out.lo| <= 2^-51.9
   * out.hi (out.lo may lose bits in the subnormals: absolute 2^-1075).
   */
  static void expMinus(double a, DoubleDouble out) {
    // --- e = e^-a = 2^-(k/64) e^r, k = round(64 a / ln 2), |r| <= ln2/128 (1 + 2^-40) < 2^-7.52.
    double shifted = a * INV_STEP + DoubleDoubleMath.ROUND;
    double k = shifted - DoubleDoubleMath.ROUND;
    long ki = Double.doubleToRawLongBits(shifted) - DoubleDoubleMath.ROUND_BITS;
    // r1 = k STEP1 - a exactly: k STEP1 is exact (16 + 32 bits) on a 2^-38 grid, a >= 2^-7.6 on a
    // 2^-60 grid when k >= 1, |r1| < 2^-7: 53 bits. Then r = rh + rl to 2^-110 absolute
    // (2Sum and 2MultFMA exact; STEP3's and the ln 2 tail's terms below 2^-120).
    double r1 = Math.fma(k, STEP1, -a);
    double p2 = k * STEP2;
    double p2e = Math.fma(k, STEP2, -p2);
    double rh = r1 + p2;
    double bb = rh - r1;
    double rl = ((r1 - (rh - bb)) + (p2 - bb)) + (p2e + k * STEP3);
    // e^r - 1 = rh + rh^2/2 + low, low = rl + rh rl + rh^3 Q(rh) + the rest of rh^2 (exact, fma):
    // r^3 Q in doubles <= 2^-25.1 with 5u error (2^-75.8); truncation at r^9/9! 2^-86; rl left
    // out of r^3: 2^-75; the sum of low 2^-76.4. In all <= 2^-73.5 absolute.
    double sh = rh * rh;
    double sl = Math.fma(rh, rh, -sh);
    double q = EXP_Q[0];
    for (int i = 1; i < EXP_Q.length; i++) {
      q = Math.fma(q, rh, EXP_Q[i]);
    }
    double low = rl + (sl * 0.5 + (rh * rl + sh * rh * q));
    // g = e^r - 1 as gh + gl: rh + sh/2 by Fast2Sum (|rh| > sh/2), then low by 2Sum (exact).
    double hh = rh + sh * 0.5;
    double hl = sh * 0.5 - (hh - rh);
    double gh = hh + low;
    bb = gh - hh;
    double gl = ((hh - (gh - bb)) + (low - bb)) + hl;
    // e = T (1 + g), T = 2^(-j/64) in (0.5, 1]: T + T gh exact (2MultFMA, Fast2Sum), the rest
    // rounded at 2^-77; e to 2^-73 relative, |el| <= 2^-51.9 eh.
    int j = (int) (ki & 63);
    double th = POW2_HI[j];
    double ph = th * gh;
    double pl = Math.fma(th, gh, -ph);
    double eh = th + ph;
    double el = (ph - (eh - th)) + (pl + (POW2_LO[j] + (th * gl + POW2_LO[j] * gh)));
    // times 2^-(k div 64): exact for eh (>= 2^-967), el may round in the subnormals.
    double scale = Double.longBitsToDouble((1023 - (ki >> 6)) << 52);
    out.set(eh * scale, el * scale);
  }

  /**
   * out = log(1 + e) for e = eh + el in (0, 1], |el| <= 2^-51.9 eh: relative error <= 2^-68.3
   * (e's own error is not amplified: e/((1+e) log(1+e)) <= 1).
   */
  static void log1p(double eh, double el, DoubleDouble out) {
    double lh = 0.0;
    double ll = 0.0;
    double th = eh;
    double tl = el;
    if (eh >= SMALL) {
      // v = 1 + e = vh + vl (Fast2Sum exact, el added with 2^-105 error), i from vh's top bits.
      double vh = 1.0 + eh;
      double vl = (eh - (vh - 1.0)) + el;
      int i = (int) ((vh - 1.0) * LOG_STEPS);
      double c = C[i];
      // log v = -log c + log1p(t), t = v c - 1: vh c exact (2MultFMA), ph - 1 exact (Sterbenz),
      // vl c rounded at 2^-105; t normalised by 2Sum. |t| <= 2^-8.41, log v >= 2^-8.01.
      double ph = vh * c;
      double pl = Math.fma(vh, c, -ph);
      double t0 = ph - 1.0;
      double t1 = pl + vl * c;
      th = t0 + t1;
      double bb = th - t0;
      tl = (t0 - (th - bb)) + (t1 - bb);
      lh = MINUS_LOG_C_HI[i];
      ll = MINUS_LOG_C_LO[i];
    }
    // log1p(t) = t - t^2/2 + t^3 R(t), |t| <= 2^-8 (direct) or 2^-8.41: truncation at t^10/10
    // 2^-79 |t|; t^3 R in doubles <= 2^-18.4 |t| with 5u error (2^-69 |t|); th^2 exact (fma);
    // tl's cross terms th tl and th^2 tl kept, the rest below 2^-77 |t|; the sum of low
    // 2^-69.8 |t|. In all 2^-68.3 |t|, and |t| <= 1.002 log(1 + e) (direct: t = e <= 2^-8) or
    // 0.76 log(1 + e) (the table: |t| <= 2^-8.41, log v >= 2^-8.01).
    double sh = th * th;
    double sl = Math.fma(th, th, -sh);
    double r = LOG_R[0];
    for (int k = 1; k < LOG_R.length; k++) {
      r = Math.fma(r, th, LOG_R[k]);
    }
    double low = tl - sl * 0.5 - th * tl + sh * tl + sh * th * r;
    // -log c + t - sh/2 by two exact 2Sums, then the low terms (rounded below 2^-100).
    double a = lh + th;
    double bb = a - lh;
    double a1 = (lh - (a - bb)) + (th - bb);
    double half = -sh * 0.5;
    double b = a + half;
    bb = b - a;
    double b1 = (a - (b - bb)) + (half - bb);
    out.fastTwoSum(b, (a1 + b1) + (ll + low));
  }
}
