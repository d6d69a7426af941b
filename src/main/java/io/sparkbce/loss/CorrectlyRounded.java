package io.sparkbce.loss;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The elementwise results of SPEC §1 correctly rounded (round to nearest, ties to even), with
 * the rest of the true value alongside for exact reductions: {@code out.hi} is the true value
 * rounded once, {@code out.hi + out.lo} within 2^-94 of the magnitude of its terms.
 *
 * <p>Ziv's strategy, as CORE-MATH, in tiers. With logits, when only the rounded value is wanted,
 * first {@link TableSoftplus} (error below 2^-68 M, a few dozen flops); when its rounding test
 * fails (about 2^-10 of the time), or when the rest is wanted too, a double-double evaluation
 * ({@link DoubleDoubleMath}) whose
 * error is proven below 2^-94 M, M the sum of the magnitudes of the expression's terms; if every
 * value within 2^-89 M of it rounds to the same double, that double is the correctly rounded
 * result (rounding is monotonic). Otherwise, about 2^-37 of the time, and for inputs outside the
 * fast path's domain, {@link ArbitraryPrecision} decides. Inputs are finite here, w != 0; the
 * limits at infinities, NaN and a zero weight are {@link LossKernel}'s.
 */
final class CorrectlyRounded {
  /** The rounding test's bound per unit of M: 32x the proven error, which also covers the
   *  roundings of the test itself (|lo + E| rounds with error <= 2^-106 |hi| + 2^-53 E) and of
   *  M, computed in doubles from hi parts (relative error < 2^-50). */
  static final double TEST_ERROR = 0x1p-89;
  /**
   * The same for the table tier: 4x its proven 2^-67.9 M. The factor covers M's rounding
   * (2^-50), and the test's own additions, lo + bound rounded at 2^-53 (2^-106 |hi| + 2^-53
   * bound); about 2^-12 of its results fail.
   */
  static final double TABLE_TEST_ERROR = 0x1p-66;
  /** Absolute error allowed for underflow: intermediate terms below 2^-969 lose bits, at most
   *  2^-1074 each, times the weights (<= 2^60 each) and a few dozen operations: < 2^-940. */
  static final double UNDERFLOW_ERROR = 0x1p-940;
  /** The fast path's domain: weights and coefficients within [2^-900, 2^60], |x| <= 2^500. */
  static final double SMALLEST = 0x1p-900;
  static final double LARGEST = 0x1p60;
  static final double LARGEST_LOGIT = 0x1p500;
  /** log q < -100 exactly when q is below this double (the smallest one >= e^-100). */
  static final double CLAMP_BELOW = clampThreshold();
  static final double CLAMP = -100.0;

  private CorrectlyRounded() {}

  private static double clampThreshold() {
    MathContext mc = new MathContext(60);
    BigDecimal e = ArbitraryPrecision.expMinus(BigDecimal.valueOf(100), mc);
    double d = ArbitraryPrecision.toDouble(e);
    return new BigDecimal(d).compareTo(e) < 0 ? Math.nextUp(d) : d;
  }

  /**
   * w (P softplus(-x) + N softplus(x)), P = p y, N = 1 - y; x, y, w, p finite, w != 0. Without
   * {@code rests} (null), out.hi is the correctly rounded value. With them, out.hi + out.lo is
   * within {@code rests}' bound of the true value (what a {@link TrueSum} adds) and out.hi need
   * not be the correctly rounded value: no rounding test is needed, only the relative bound.
   */
  static void withLogits(
      double x, double y, double w, double p, Rests rests, DoubleDouble out) {
    if (!withLogitsTable(x, y, w, p, rests, out) && !withLogitsFast(x, y, w, p, rests, out)) {
      ArbitraryPrecision.withLogits(x, y, w, p, out);
    }
  }

  /** w (N sigmoid(x) - P sigmoid(-x)); x, y, w, p finite, w != 0. */
  static void withLogitsGrad(double x, double y, double w, double p, DoubleDouble out) {
    if (!withLogitsGradFast(x, y, w, p, out)) {
      ArbitraryPrecision.withLogitsGrad(x, y, w, p, out);
    }
  }

  /**
   * -w (y max(log q, -100) + (1-y) max(log(1-q), -100)); q, y in [0, 1], w finite. With
   * {@code rests}, as {@link #withLogits}.
   */
  static void probabilities(double q, double y, double w, Rests rests, DoubleDouble out) {
    if (!probabilitiesTable(q, y, w, rests, out) && !probabilitiesFast(q, y, w, rests, out)) {
      ArbitraryPrecision.probabilities(q, y, w, q < CLAMP_BELOW, out);
    }
  }

  /** The double-double P = p y (exact: 2MultFMA, its error term is normal in the domain). */
  private static DoubleDouble positive(double y, double p) {
    DoubleDouble pos = new DoubleDouble();
    return y == 0.0 ? pos.set(0.0, 0.0) : pos.twoProd(p, y);
  }

  /** |v| is 0 or within [2^-900, 2^60]. */
  private static boolean inRange(double v) {
    double a = Math.abs(v);
    return a == 0.0 || (a >= SMALLEST && a <= LARGEST);
  }

  private static boolean inDomain(double x, double w, DoubleDouble pos, DoubleDouble neg) {
    return Math.abs(x) <= LARGEST_LOGIT && w != 0.0 && inRange(w) && inRange(pos.hi)
        && inRange(neg.hi);
  }

  /**
   * Tier 1: w (A t + C |x|), t = log1p(e^-|x|) from {@link TableSoftplus} (2^-68), A = P + N,
   * C = N for x >= 0 and P otherwise (softplus(+-x) = t + max(+-x, 0)). Every step but t is
   * exact or rounded at 2^-104 of M' = |w| (|A| t + |C| |x|), which bounds M. False when the
   * rounding test fails (or with {@code rests}, the relative bound is not met) or the input is
   * outside the domain.
   */
  static boolean withLogitsTable(
      double x, double y, double w, double p, Rests rests, DoubleDouble out) {
    if (rests != null && rests.tableRatio == 0.0) {
      return false;
    }
    if (!(Math.abs(x) <= TableSoftplus.LARGEST)) {
      return false;
    }
    TableSoftplus.tail(Math.abs(x), out);
    return withLogitsTable(x, y, w, p, out.hi, out.lo, rests, out);
  }

  /**
   * {@link #withLogitsTable(double, double, double, double, Rests, DoubleDouble)} given
   * t = th + tl = {@link TableSoftplus#tail}(|x|), |x| <= {@link TableSoftplus#LARGEST}: the
   * combine and the test, for kernels that compute t for a whole block first.
   */
  static boolean withLogitsTable(double x, double y, double w, double p, double th, double tl,
      Rests rests, DoubleDouble out) {
    double a = Math.abs(x);
    // P = p y and N = 1 - y exactly (2MultFMA, 2Sum); normal in the domain.
    double ph = p * y;
    double pl = Math.fma(p, y, -ph);
    double nh = 1.0 - y;
    double bb = nh - 1.0;
    double nl = (1.0 - (nh - bb)) + (-y - bb);
    if (!(w != 0.0 && inRange(w) && inRange(ph) && inRange(nh))) {
      return false;
    }
    // A: 2Sum of the highs (exact), the lows added (2^-105 |A|).
    double ah = ph + nh;
    bb = ah - ph;
    double al = ((ph - (ah - bb)) + (nh - bb)) + (pl + nl);
    double ch = x >= 0 ? nh : ph;
    double cl = x >= 0 ? nl : pl;
    // A t and C |x|: the highs' products exact (2MultFMA), cross terms rounded (2^-105 each).
    double h1 = ah * th;
    double l1 = Math.fma(ah, th, -h1) + (ah * tl + al * th);
    double h2 = ch * a;
    double l2 = Math.fma(ch, a, -h2) + cl * a;
    // Their sum: 2Sum of the highs (exact), the lows rounded (2^-104 M').
    double sh = h1 + h2;
    bb = sh - h1;
    double sl = ((h1 - (sh - bb)) + (h2 - bb)) + (l1 + l2);
    // Times w: 2MultFMA exact, w sl rounded (2^-104 M'); normalised by Fast2Sum (exact).
    double vh = sh * w;
    double vl = Math.fma(sh, w, -vh) + sl * w;
    out.fastTwoSum(vh, vl);
    double magnitude = Math.abs(w) * (Math.abs(ah) * th + Math.abs(ch) * a);
    return rests == null ? decided(out, magnitude, TABLE_TEST_ERROR, out)
        : Rests.within(magnitude, out.hi, rests.tableRatio);
  }

  private static boolean withLogitsFast(
      double x, double y, double w, double p, Rests rests, DoubleDouble out) {
    DoubleDouble pos = positive(y, p);
    DoubleDouble neg = new DoubleDouble().twoSum(1.0, -y); // exact
    if (!inDomain(x, w, pos, neg)) {
      return false;
    }
    // e = e^-|x| to 2^-95; t = log1p(e) to 2^-98 + e's error (not amplified): 2^-94.8.
    DoubleDouble e = new DoubleDouble();
    DoubleDoubleMath.expMinus(Math.abs(x), e);
    DoubleDouble t = new DoubleDouble();
    DoubleDoubleMath.log1p(e.hi, e.lo, t);
    // softplus(-x) and softplus(x): t plus a non-negative double, 2u^2 more.
    DoubleDouble up = e.set(t.hi, t.lo).add(Math.max(-x, 0.0));
    DoubleDouble down = t.add(Math.max(x, 0.0));
    double magnitude = Math.abs(w)
        * (Math.abs(pos.hi) * up.hi + Math.abs(neg.hi) * down.hi);
    // P softplus(-x) and N softplus(x): 4u^2 each, exact coefficients; their sum 3u^2 of the
    // result; times w 2u^2. In all <= 2^-94 M.
    up.mul(pos.hi, pos.lo);
    down.mul(neg.hi, neg.lo);
    up.add(down.hi, down.lo).mul(w);
    return delivered(up, magnitude, rests, out);
  }

  /**
   * w sigmoid(x) for a {@link TrueSum} at {@link Rests#TABLE} (not correctly rounded): e = e^-|x|
   * from {@link TableSoftplus#expMinus} (2^-73), d = 1 + e (2u^2), sigmoid(-|x|) = e/d (e's error
   * enters e/d at most once: 2^-73, the division 15u^2) or sigmoid(|x|) = 1/d (e/(1+e) 2^-73),
   * times w (2u^2): within 2^-72 |v| (one term: M = |v|), plus 2^-940 for underflow. False
   * outside the domain (|x| <= 670, |w| in [2^-900, 2^60]).
   */
  static boolean weightedSigmoidTable(double x, double w, DoubleDouble out) {
    double a = Math.abs(x);
    if (!(a <= TableSoftplus.LARGEST && w != 0.0 && inRange(w))) {
      return false;
    }
    TableSoftplus.expMinus(a, out);
    double eh = out.hi;
    double el = out.lo;
    out.add(1.0);
    double dh = out.hi;
    double dl = out.lo;
    out.set(x >= 0 ? 1.0 : eh, x >= 0 ? 0.0 : el).div(dh, dl).mul(w);
    return true;
  }

  private static boolean withLogitsGradFast(
      double x, double y, double w, double p, DoubleDouble out) {
    DoubleDouble pos = positive(y, p);
    DoubleDouble neg = new DoubleDouble().twoSum(1.0, -y);
    if (!inDomain(x, w, pos, neg)) {
      return false;
    }
    // e = e^-|x| to 2^-95; d = 1 + e, 2u^2 more; sigmoid(-|x|) = e/d and sigmoid(|x|) = 1/d,
    // each within 2^-94 (division 15u^2; e's error enters both at most once).
    DoubleDouble e = new DoubleDouble();
    DoubleDoubleMath.expMinus(Math.abs(x), e);
    DoubleDouble d = new DoubleDouble().set(e.hi, e.lo).add(1.0);
    DoubleDouble small = e.div(d.hi, d.lo);
    DoubleDouble big = new DoubleDouble().set(1.0, 0.0).div(d.hi, d.lo);
    DoubleDouble sx = x >= 0 ? big : small;
    DoubleDouble sminus = x >= 0 ? small : big;
    double magnitude = Math.abs(w)
        * (Math.abs(neg.hi) * sx.hi + Math.abs(pos.hi) * sminus.hi);
    // N sigmoid(x) - P sigmoid(-x): products 4u^2, difference 3u^2 of the result (may cancel:
    // then the test fails and the slow path decides), times w 2u^2: <= 2^-93.5 M.
    sx.mul(neg.hi, neg.lo);
    sminus.mul(pos.hi, pos.lo);
    sx.add(-sminus.hi, -sminus.lo).mul(w);
    return decided(sx, magnitude, TEST_ERROR, out);
  }

  /**
   * Tier 1 of BCELoss: -w (y L1 + N L2), N = 1 - y, L1 = log q and L2 = log(1 - q) from
   * {@link TableLogarithm} (2^-68.68 each) or the clamp -100 (exact); a log whose coefficient is 0
   * is not evaluated. Both terms are <= 0: nothing cancels, M = |w| (y |L1| + |N| |L2|) is the
   * result's own magnitude, and every step but the logs is exact or rounded at 2^-104 M: within
   * 2^-68.6 M, which TABLE_TEST_ERROR covers 6 times (about 2^-12 of the results fail). False
   * when the rounding test fails (or with {@code rests}, the relative bound is not met), when
   * the loss is 0 (its sign is the next tiers'), or outside {@link #withLogitsTable}'s domain
   * (w, y and N 0 or in [2^-900, 2^60]).
   */
  static boolean probabilitiesTable(
      double q, double y, double w, Rests rests, DoubleDouble out) {
    if (rests != null && rests.tableRatio == 0.0) {
      return false;
    }
    // N = 1 - y exactly (2Sum); y itself is P (BCELoss has no pos_weight).
    double nh = 1.0 - y;
    double bb = nh - 1.0;
    double nl = (1.0 - (nh - bb)) + (-y - bb);
    if (!(w != 0.0 && inRange(w) && inRange(y) && inRange(nh))) {
      return false;
    }
    // L1 (y != 0 only): -100 below CLAMP_BELOW (exact), else log q to 2^-68.68.
    double l1h = 0.0;
    double l1l = 0.0;
    if (y != 0.0) {
      if (q < CLAMP_BELOW) {
        l1h = CLAMP;
      } else {
        TableLogarithm.log(q, out);
        l1h = out.hi;
        l1l = out.lo;
      }
    }
    // L2 (N != 0 only): -100 at q = 1 (exact), else log(1 - q) to 2^-68.68 (>= -53 ln 2 > -100).
    double l2h = 0.0;
    double l2l = 0.0;
    if (nh != 0.0) {
      if (q == 1.0) {
        l2h = CLAMP;
      } else {
        TableLogarithm.log1mq(q, out);
        l2h = out.hi;
        l2l = out.lo;
      }
    }
    // y L1 and N L2: the highs' products exact (2MultFMA), cross terms rounded (2^-105 each).
    double h1 = y * l1h;
    double e1 = Math.fma(y, l1h, -h1) + y * l1l;
    double h2 = nh * l2h;
    double e2 = Math.fma(nh, l2h, -h2) + (nh * l2l + nl * l2h);
    // Their sum: 2Sum of the highs (exact), the lows rounded (2^-104 M).
    double sh = h1 + h2;
    bb = sh - h1;
    double sl = ((h1 - (sh - bb)) + (h2 - bb)) + (e1 + e2);
    // Times -w: 2MultFMA exact, w sl rounded (2^-104 M); normalised by Fast2Sum (exact).
    double vh = sh * -w;
    double vl = Math.fma(sh, -w, -vh) + sl * -w;
    double magnitude = Math.abs(w) * -(y * l1h + nh * l2h);
    if (magnitude == 0.0) {
      return false;
    }
    out.fastTwoSum(vh, vl);
    return rests == null ? decided(out, magnitude, TABLE_TEST_ERROR, out)
        : Rests.within(magnitude, out.hi, rests.tableRatio);
  }

  private static boolean probabilitiesFast(
      double q, double y, double w, Rests rests, DoubleDouble out) {
    if (w == 0.0 || !inRange(w)) {
      return false;
    }
    // log q and log(1-q) to 2^-98 each, or the clamp (exact).
    DoubleDouble logQ = new DoubleDouble();
    if (q < CLAMP_BELOW) {
      logQ.set(CLAMP, 0.0);
    } else {
      DoubleDoubleMath.log(q, logQ);
    }
    DoubleDouble logNotQ = new DoubleDouble();
    if (q == 1.0) {
      logNotQ.set(CLAMP, 0.0);
    } else {
      DoubleDoubleMath.log1pMinus(q, logNotQ);
    }
    DoubleDouble neg = new DoubleDouble().twoSum(1.0, -y);
    double magnitude = Math.abs(w)
        * (y * Math.abs(logQ.hi) + Math.abs(neg.hi) * Math.abs(logNotQ.hi));
    // y log q (2u^2) + (1-y) log(1-q) (4u^2): both <= 0, the sum 3u^2; times -w 2u^2.
    logQ.mul(y);
    logNotQ.mul(neg.hi, neg.lo);
    logQ.add(logNotQ.hi, logNotQ.lo).mul(-w);
    return delivered(logQ, magnitude, rests, out);
  }

  /** Tier 2's hand-over: the rounding test, or with {@code rests} their relative bound. */
  private static boolean delivered(
      DoubleDouble v, double magnitude, Rests rests, DoubleDouble out) {
    if (rests == null) {
      return decided(v, magnitude, TEST_ERROR, out);
    }
    out.set(v.hi, v.lo);
    return Rests.within(magnitude, v.hi, rests.doubleDoubleRatio);
  }

  /**
   * Ziv's rounding test: v is within TEST_ERROR * M + UNDERFLOW_ERROR of the true value; when
   * both ends of that interval round to the same double, so does the true value, and that
   * double is v.hi (v is normalised: hi = RN(hi + lo)). Below 2^-880 the interval is wider than
   * an ulp and the test fails: the slow path rounds in the subnormal range.
   */
  private static boolean decided(
      DoubleDouble v, double magnitude, double error, DoubleDouble out) {
    double bound = error * magnitude + UNDERFLOW_ERROR;
    double above = v.hi + (v.lo + bound);
    double below = v.hi + (v.lo - bound);
    if (above != below) {
      return false;
    }
    out.set(v.hi, v.lo);
    return true;
  }
}
