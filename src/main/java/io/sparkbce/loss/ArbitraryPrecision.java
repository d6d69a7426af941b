package io.sparkbce.loss;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The slow path of {@link CorrectlyRounded}: the loss written as {@code B + sum A_i T_i}, with
 * B and A_i exact rationals (products and sums of the input doubles, exact in BigDecimal) and
 * T_i one of exp/log1p/log/sigmoid, evaluated with {@link BigDecimal} at growing precision until
 * the error bound proves the rounding (Ziv's strategy). A fixed precision could not be proven
 * enough: nobody knows the hardest-to-round cases of a function of four doubles. The rounding
 * terminates because T_i is transcendental at every input that reaches it (Lindemann-Weierstrass),
 * and cases where it is exact (sigmoid(0) = 1/2, log 1 = 0, the -100 clamp, a zero coefficient)
 * are exact here. Runs for about 2^-37 of ordinary inputs, and for the far corners the fast path
 * leaves out (weights beyond 2^60, results below 2^-880, |x| beyond 2^500).
 */
final class ArbitraryPrecision {
  private static final int FIRST_DIGITS = 40;
  /** Beyond this nothing double-valued is that close to a rounding boundary; never reached. */
  private static final int MAX_DIGITS = 10_000;
  /** Beyond this |x|, e^-|x| < 10^-8685: see {@link #negligible}. */
  private static final BigDecimal FAR = BigDecimal.valueOf(20_000);
  private static final BigDecimal TWO = BigDecimal.valueOf(2);
  private static final BigDecimal REST_ERROR = new BigDecimal(0x1p-100);

  /** A transcendental factor at a given working precision, relative error < 10^-(p - 10). */
  private interface Term {
    BigDecimal at(MathContext mc);
  }

  private ArbitraryPrecision() {}

  /** withLogits for finite x, y, w, p. */
  static void withLogits(double x, double y, double w, double p, DoubleDouble out) {
    BigDecimal wd = bd(w);
    BigDecimal pos = y == 0.0 ? BigDecimal.ZERO : bd(p).multiply(bd(y));
    BigDecimal neg = BigDecimal.ONE.subtract(bd(y));
    BigDecimal a = bd(Math.abs(x));
    // loss = w (P+N) t + w (P max(-x,0) + N max(x,0)), t = log1p(e^-|x|).
    BigDecimal rational = x >= 0 ? neg.multiply(bd(x)) : pos.multiply(bd(-x));
    BigDecimal b = wd.multiply(rational);
    BigDecimal coefficient = wd.multiply(pos.add(neg));
    if (a.compareTo(FAR) > 0 || roundsToZero(b, coefficient, Math.abs(x))) {
      negligible(b, coefficient, out);
      return;
    }
    round(b, new BigDecimal[] {coefficient},
        new Term[] {mc -> log1p(expMinus(a, mc), mc)}, out);
  }

  /** d loss / dx = w (N sigmoid(x) - P sigmoid(-x)) for finite x, y, w, p. */
  static void withLogitsGrad(double x, double y, double w, double p, DoubleDouble out) {
    BigDecimal wd = bd(w);
    BigDecimal pos = y == 0.0 ? BigDecimal.ZERO : bd(p).multiply(bd(y));
    BigDecimal neg = BigDecimal.ONE.subtract(bd(y));
    BigDecimal a = bd(Math.abs(x));
    // With T = sigmoid(-|x|): x >= 0 gives w N - w (N+P) T, x < 0 gives -w P + w (N+P) T.
    BigDecimal b = wd.multiply(x >= 0 ? neg : pos.negate());
    BigDecimal sum = wd.multiply(pos.add(neg));
    BigDecimal coefficient = x >= 0 ? sum.negate() : sum;
    if (x == 0.0) {
      round(b.add(coefficient.divide(TWO)), new BigDecimal[0], new Term[0], out);
      return;
    }
    if (a.compareTo(FAR) > 0 || roundsToZero(b, coefficient, Math.abs(x))) {
      negligible(b, coefficient, out);
      return;
    }
    round(b, new BigDecimal[] {coefficient}, new Term[] {mc -> {
      BigDecimal e = expMinus(a, mc);
      return e.divide(BigDecimal.ONE.add(e), mc);
    }}, out);
  }

  /** The gradient at x = +-inf (y, w, p finite): w (1 - y) or -w p y, rounded once. */
  static void withLogitsGradAtInfinity(double x, double y, double w, double p, DoubleDouble out) {
    BigDecimal v = x > 0 ? bd(w).multiply(BigDecimal.ONE.subtract(bd(y)))
        : y == 0.0 ? BigDecimal.ZERO : bd(w).multiply(bd(p)).multiply(bd(y)).negate();
    round(v, new BigDecimal[0], new Term[0], out);
  }

  /**
   * BCELoss -w (y L1 + (1-y) L2) for q, y in [0, 1] and finite w, where L1 = log q unless
   * {@code clampQ} (then -100) and L2 = log(1-q) unless q = 1 (then -100).
   */
  static void probabilities(double q, double y, double w, boolean clampQ, DoubleDouble out) {
    BigDecimal minusW = bd(w).negate();
    BigDecimal a1 = minusW.multiply(bd(y));
    BigDecimal a2 = minusW.multiply(BigDecimal.ONE.subtract(bd(y)));
    BigDecimal hundred = BigDecimal.valueOf(-100);
    BigDecimal b = BigDecimal.ZERO;
    BigDecimal[] coefficients = new BigDecimal[2];
    Term[] terms = new Term[2];
    int k = 0;
    if (clampQ) {
      b = b.add(a1.multiply(hundred));
    } else if (q != 1.0) {
      BigDecimal v = bd(q);
      coefficients[k] = a1;
      terms[k++] = mc -> log(v, mc);
    }
    if (q == 1.0) {
      b = b.add(a2.multiply(hundred));
    } else if (q != 0.0) {
      BigDecimal v = BigDecimal.ONE.subtract(bd(q));
      coefficients[k] = a2;
      terms[k++] = mc -> log(v, mc);
    }
    round(b, Arrays.copyOf(coefficients, k), Arrays.copyOf(terms, k), out);
  }

  /**
   * out = B + sum A_i T_i rounded once (hi) and the rest (lo). Each round evaluates T_i with
   * relative error below 10^-digits and stops when both ends of the resulting interval round
   * to the same double.
   */
  private static void round(BigDecimal b, BigDecimal[] a, Term[] terms, DoubleDouble out) {
    for (int digits = FIRST_DIGITS; ; digits *= 2) {
      MathContext mc = new MathContext(digits + 10, RoundingMode.HALF_EVEN);
      BigDecimal v = b;
      BigDecimal error = BigDecimal.ZERO;
      for (int i = 0; i < a.length; i++) {
        if (a[i].signum() == 0) {
          continue; // a zero coefficient contributes exactly zero
        }
        BigDecimal product = a[i].multiply(terms[i].at(mc), mc);
        v = v.add(product);
        // |A T - product| <= |product| (10^-digits + rounding) < 2 |product| 10^-digits.
        error = error.add(product.abs().scaleByPowerOfTen(-digits).multiply(TWO));
      }
      double hi = toDouble(v.add(error));
      // The rest too must be good: within 2^-100 |v| (what TrueSum relies on), or, where terms
      // cancel to almost nothing, within 10^-300 of the terms (far below 2^-940 absolute).
      boolean restGood = error.compareTo(v.abs().multiply(REST_ERROR)) <= 0 || digits >= 300;
      if (error.signum() == 0 || (hi == toDouble(v.subtract(error)) && restGood)
          || digits > MAX_DIGITS) {
        out.set(hi, rest(v, hi));
        return;
      }
    }
  }

  /**
   * |x| beyond 20000 (or A t below 2^-1076 with B = 0, which rounds to a zero of A's sign):
   * v = B + A t with 0 < t < 10^-8685. B is a multiple of 2^-4296 (a product
   * of at most four doubles, summed) and so are the midpoints between doubles, so B is either a
   * midpoint or at least 2^-4296 from every one, far more than |A t| < 10^-7700: v rounds as B
   * nudged towards the sign of A.
   */
  private static void negligible(BigDecimal b, BigDecimal coefficient, DoubleDouble out) {
    if (b.signum() == 0) {
      out.set(coefficient.signum() < 0 ? -0.0 : 0.0, 0.0);
      return;
    }
    BigDecimal nudge = BigDecimal.ONE.scaleByPowerOfTen(-8000);
    BigDecimal v = b.add(coefficient.signum() < 0 ? nudge.negate() : nudge);
    double hi = coefficient.signum() == 0 ? toDouble(b) : toDouble(v);
    out.set(hi, rest(b, hi));
  }

  /**
   * Whether v = A T with 0 < T < e^-a (log1p(e^-a) and sigmoid(-a) both are) is below 2^-1076 in
   * magnitude: then it rounds to a zero, and {@link #negligible} gives it without evaluating T.
   */
  private static boolean roundsToZero(BigDecimal b, BigDecimal coefficient, double a) {
    if (b.signum() != 0 || a < 700) {
      return false;
    }
    // log2 |A| < exponent + 1; log2 e^-a = -a log2(e) (the factor is rounded down: conservative).
    double log2Bound = Math.getExponent(coefficient.doubleValue()) + 1 - a * 1.4426950408889634;
    return log2Bound < -1080;
  }

  /** e^-a for 0 <= a <= 20000: e^-(a/2^k) by Taylor with a/2^k <= 1/4, squared k <= 17 times. */
  static BigDecimal expMinus(BigDecimal a, MathContext mc) {
    int k = 0;
    BigDecimal r = a;
    BigDecimal quarter = new BigDecimal("0.25");
    while (r.compareTo(quarter) > 0) {
      r = r.divide(TWO);
      k++;
    }
    // Extra digits for the squarings: each doubles the relative error (2^17 < 10^6).
    MathContext wide = new MathContext(mc.getPrecision() + 8, RoundingMode.HALF_EVEN);
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal term = BigDecimal.ONE;
    BigDecimal small = BigDecimal.ONE.scaleByPowerOfTen(-wide.getPrecision() - 2);
    for (int j = 1; term.abs().compareTo(small) > 0; j++) {
      term = term.multiply(r, wide).divide(BigDecimal.valueOf(-j), wide);
      sum = sum.add(term, wide);
    }
    for (int i = 0; i < k; i++) {
      sum = sum.multiply(sum, wide);
    }
    return sum.round(mc);
  }

  /** log(1 + e) for 0 <= e <= 1, as 2 atanh(e/(2+e)), e/(2+e) <= 1/3. */
  static BigDecimal log1p(BigDecimal e, MathContext mc) {
    return atanhTwice(e.divide(TWO.add(e), mc), mc);
  }

  /** log v for 0 < v <= 1 exact: v = m 2^-k with m in [0.75, 1.5), then k ln 2 and atanh. */
  static BigDecimal log(BigDecimal v, MathContext mc) {
    int k = -Math.getExponent(v.doubleValue());
    BigDecimal m = scaleByPowerOfTwo(v, k);
    if (m.compareTo(new BigDecimal("1.5")) >= 0) {
      k--;
      m = m.divide(TWO);
    }
    BigDecimal s = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), mc);
    BigDecimal logM = atanhTwice(s, mc);
    if (k == 0) {
      return logM;
    }
    BigDecimal ln2 = atanhTwice(BigDecimal.ONE.divide(BigDecimal.valueOf(3), mc), mc);
    return logM.subtract(ln2.multiply(BigDecimal.valueOf(k)), mc);
  }

  /** 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) for |s| <= 1/3, relative error ~ 10^-precision. */
  private static BigDecimal atanhTwice(BigDecimal s, MathContext mc) {
    MathContext wide = new MathContext(mc.getPrecision() + 4, RoundingMode.HALF_EVEN);
    BigDecimal z = s.multiply(s, wide);
    BigDecimal power = s;
    BigDecimal sum = s;
    BigDecimal small = s.abs().scaleByPowerOfTen(-wide.getPrecision() - 2);
    for (int j = 1; power.abs().compareTo(small) > 0; j++) {
      power = power.multiply(z, wide);
      sum = sum.add(power.divide(BigDecimal.valueOf(2 * j + 1), wide), wide);
    }
    return sum.multiply(TWO).round(mc);
  }

  private static BigDecimal scaleByPowerOfTwo(BigDecimal v, int k) {
    if (k >= 0) {
      return v.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(k)));
    }
    return v.multiply(BigDecimal.valueOf(5).pow(-k)).scaleByPowerOfTen(k);
  }

  /** v - hi rounded, or 0 when hi overflowed to an infinity. */
  private static double rest(BigDecimal v, double hi) {
    return Double.isInfinite(hi) ? 0.0 : toDouble(v.subtract(bd(hi)));
  }

  static BigDecimal bd(double v) {
    return new BigDecimal(v);
  }

  /** v rounded once to the nearest double, ties to even (overflow gives an infinity). */
  static double toDouble(BigDecimal v) {
    BigInteger unscaled = v.unscaledValue();
    int scale = v.scale();
    if (scale <= 0) {
      return CorrectRounding.quotient(unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE,
          0);
    }
    return CorrectRounding.quotient(unscaled, BigInteger.TEN.pow(scale), 0);
  }
}
