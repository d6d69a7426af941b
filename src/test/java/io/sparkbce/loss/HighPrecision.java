package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Independent reference arithmetic for the tests of this package: exact rationals rounded to the
 * nearest double (ties to even) by direct construction of the IEEE bits, and exp / log / softplus
 * / sigmoid evaluated with {@link BigDecimal} at 64 significant digits. Nothing here calls the
 * code under test.
 */
public final class HighPrecision {
  static final MathContext MC = new MathContext(64, RoundingMode.HALF_EVEN);
  private static final BigDecimal TWO = BigDecimal.valueOf(2);
  private static final BigDecimal HALF = new BigDecimal("0.5");
  /** Beyond this |z|, exp(-|z|) < 1e-2000: irrelevant next to z, and far below Double.MIN_VALUE. */
  private static final BigDecimal HUGE = BigDecimal.valueOf(5000);
  static final BigDecimal LN2 = log1pSeries(BigDecimal.ONE);

  private HighPrecision() {}

  // ---------------------------------------------------------------- exact rationals -> double

  /** num / den rounded to the nearest double, ties to even, built bit by bit. */
  static double round(BigInteger num, BigInteger den) {
    if (den.signum() == 0) {
      throw new ArithmeticException("zero denominator");
    }
    if (den.signum() < 0) {
      num = num.negate();
      den = den.negate();
    }
    if (num.signum() == 0) {
      return 0.0;
    }
    boolean negative = num.signum() < 0;
    BigInteger a = num.abs();
    // e = floor(log2(a / den)); the bit-length estimate is e or e + 1.
    int e = a.bitLength() - den.bitLength();
    if (compareWithPowerOfTwo(a, den, e) < 0) {
      e--;
    }
    int ulpExp = Math.max(e - 52, -1074);
    BigInteger n2 = a;
    BigInteger d2 = den;
    if (ulpExp >= 0) {
      d2 = den.shiftLeft(ulpExp);
    } else {
      n2 = a.shiftLeft(-ulpExp);
    }
    BigInteger[] qr = n2.divideAndRemainder(d2);
    BigInteger q = qr[0];
    int c = qr[1].shiftLeft(1).compareTo(d2);
    if (c > 0 || (c == 0 && q.testBit(0))) {
      q = q.add(BigInteger.ONE);
    }
    long m = q.longValueExact();
    if (m == 1L << 53) {
      m >>= 1;
      ulpExp++;
    }
    long bits;
    if (m < 1L << 52) {
      if (ulpExp != -1074) {
        throw new AssertionError("reference rounding bug");
      }
      bits = m; // subnormal (or zero)
    } else {
      int biased = ulpExp + 1075;
      if (biased >= 2047) {
        return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
      }
      bits = ((long) biased << 52) | (m - (1L << 52));
    }
    double r = Double.longBitsToDouble(bits);
    return negative ? -r : r;
  }

  /** sign of a - den * 2^e. */
  private static int compareWithPowerOfTwo(BigInteger a, BigInteger den, int e) {
    return e >= 0 ? a.compareTo(den.shiftLeft(e)) : a.shiftLeft(-e).compareTo(den);
  }

  /** An exact decimal as {numerator, denominator}. */
  static BigInteger[] rational(BigDecimal v) {
    int s = v.scale();
    if (s >= 0) {
      return new BigInteger[] {v.unscaledValue(), BigInteger.TEN.pow(s)};
    }
    return new BigInteger[] {v.unscaledValue().multiply(BigInteger.TEN.pow(-s)), BigInteger.ONE};
  }

  /** An exact decimal rounded once to the nearest double. */
  public static double round(BigDecimal v) {
    BigInteger[] r = rational(v);
    return round(r[0], r[1]);
  }

  /** (exact a) / (exact b), rounded once. */
  static double roundQuotient(BigDecimal a, BigDecimal b) {
    BigInteger[] x = rational(a);
    BigInteger[] y = rational(b);
    return round(x[0].multiply(y[1]), x[1].multiply(y[0]));
  }

  /** The exact sum of finite doubles. */
  static BigDecimal exactSum(double... values) {
    BigDecimal s = BigDecimal.ZERO;
    for (double v : values) {
      s = s.add(new BigDecimal(v));
    }
    return s;
  }

  static BigDecimal exactSum(List<Double> values) {
    BigDecimal s = BigDecimal.ZERO;
    for (double v : values) {
      s = s.add(new BigDecimal(v));
    }
    return s;
  }

  /** The sum in units of 2^-1074 (an integer for any sum of doubles). */
  static BigInteger inUnitsOfMinValue(BigDecimal exact) {
    return exact.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(1074))).toBigIntegerExact();
  }

  // ---------------------------------------------------------------- transcendental references

  static BigDecimal exp(BigDecimal t) {
    if (t.signum() == 0) {
      return BigDecimal.ONE;
    }
    if (t.signum() < 0) {
      return BigDecimal.ONE.divide(exp(t.negate()), MC);
    }
    int halvings = 0;
    BigDecimal r = t;
    while (r.compareTo(HALF) > 0) {
      r = r.divide(TWO, MC);
      halvings++;
    }
    BigDecimal sum = BigDecimal.ONE;
    BigDecimal term = BigDecimal.ONE;
    for (int k = 1; k < 1000; k++) {
      term = term.multiply(r, MC).divide(BigDecimal.valueOf(k), MC);
      sum = sum.add(term, MC);
      if (term.compareTo(sum.movePointLeft(MC.getPrecision() + 5)) < 0) {
        break;
      }
    }
    for (int i = 0; i < halvings; i++) {
      sum = sum.multiply(sum, MC);
    }
    return sum;
  }

  /** log(1 + u) by 2 atanh(u / (2 + u)), for u in [-1/2, 1]. */
  private static BigDecimal log1pSeries(BigDecimal u) {
    BigDecimal s = u.divide(TWO.add(u), MC);
    BigDecimal s2 = s.multiply(s, MC);
    BigDecimal power = s;
    BigDecimal sum = s;
    for (int k = 1; k < 2000; k++) {
      power = power.multiply(s2, MC);
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * k + 1), MC);
      sum = sum.add(term, MC);
      if (term.abs().compareTo(sum.abs().movePointLeft(MC.getPrecision() + 5)) < 0) {
        break;
      }
    }
    return sum.multiply(TWO, MC);
  }

  /** Natural log of a positive exact decimal. */
  static BigDecimal log(BigDecimal v) {
    if (v.signum() <= 0) {
      throw new ArithmeticException("log of " + v);
    }
    int k = 0;
    double d = v.doubleValue();
    if (d >= Double.MIN_NORMAL && !Double.isInfinite(d)) {
      k = Math.getExponent(d);
      v = v.multiply(new BigDecimal(Math.scalb(1.0, -k)));
    }
    while (v.compareTo(BigDecimal.ONE) < 0) {
      v = v.multiply(TWO);
      k--;
    }
    while (v.compareTo(TWO) >= 0) {
      v = v.divide(TWO);
      k++;
    }
    // v in [1, 2): use sqrt-free reduction to [2/3, 4/3) for fast convergence.
    if (v.compareTo(new BigDecimal("1.3333333333")) > 0) {
      v = v.divide(TWO);
      k++;
    }
    BigDecimal m = v.round(MC).subtract(BigDecimal.ONE, MC);
    return LN2.multiply(BigDecimal.valueOf(k), MC).add(log1pSeries(m), MC);
  }

  /** log(1 + u) of an exact decimal u > -1, keeping relative precision for tiny u. */
  static BigDecimal log1p(BigDecimal u) {
    if (u.compareTo(HALF.negate()) >= 0 && u.compareTo(BigDecimal.ONE) <= 0) {
      return log1pSeries(u);
    }
    return log(BigDecimal.ONE.add(u));
  }

  /** softplus(z) = log(1 + e^z) for finite z. */
  static BigDecimal softplus(double z) {
    BigDecimal bz = new BigDecimal(z);
    BigDecimal a = bz.abs();
    BigDecimal positivePart = bz.signum() > 0 ? bz : BigDecimal.ZERO;
    if (a.compareTo(HUGE) > 0) {
      return positivePart;
    }
    return positivePart.add(log1pSeries(exp(a.negate())), MC);
  }

  /**
   * The loss of SPEC §1, {@code w (P softplus(-x) + N softplus(x))}, written as
   * {@code B + A t} with B = w (P max(-x, 0) + N max(x, 0)) and A = w (P + N) exact and only
   * t = log1p(e^-|x|) at 64 digits: a rational part that lies exactly on a midpoint between
   * doubles then keeps the tiny t that decides its rounding (64 digits overall would drop it).
   * Beyond |x| = 5000, t < 1e-2171 stands as 1e-2000: both are below the distance from B (a
   * multiple of 2^-4296) to any midpoint that is not B itself, so they round alike.
   */
  public static BigDecimal loss(double x, double y, double w, double p) {
    BigDecimal pos = y == 0 ? BigDecimal.ZERO : bd(p).multiply(bd(y));
    BigDecimal neg = BigDecimal.ONE.subtract(bd(y));
    BigDecimal rational = x >= 0 ? neg.multiply(bd(x)) : pos.multiply(bd(-x));
    return bd(w).multiply(rational).add(bd(w).multiply(pos.add(neg)).multiply(tail(x)));
  }

  /**
   * d loss / dx = w (N sigmoid(x) - P sigmoid(-x)) as exact rationals plus w (N + P) times
   * sigmoid(-|x|) at 64 digits (sigmoid(|x|) = 1 - sigmoid(-|x|)), for {@link #loss}'s reason.
   */
  static BigDecimal gradient(double x, double y, double w, double p) {
    BigDecimal pos = y == 0 ? BigDecimal.ZERO : bd(p).multiply(bd(y));
    BigDecimal neg = BigDecimal.ONE.subtract(bd(y));
    BigDecimal small = BigDecimal.ZERO;
    BigDecimal a = bd(Math.abs(x));
    if (x == 0) {
      small = HALF;
    } else if (a.compareTo(HUGE) > 0) {
      small = BigDecimal.ONE.movePointLeft(2000);
    } else {
      BigDecimal e = exp(a.negate());
      small = e.divide(BigDecimal.ONE.add(e, MC), MC);
    }
    BigDecimal sum = bd(w).multiply(pos.add(neg)).multiply(small);
    return x >= 0 ? bd(w).multiply(neg).subtract(sum) : bd(w).multiply(pos).negate().add(sum);
  }

  private static BigDecimal tail(double x) {
    BigDecimal a = bd(Math.abs(x));
    if (a.compareTo(HUGE) > 0) {
      return BigDecimal.ONE.movePointLeft(2000);
    }
    return log1pSeries(exp(a.negate()));
  }

  /** 1 / (1 + e^-x) for finite x. */
  static BigDecimal sigmoid(double x) {
    BigDecimal bx = new BigDecimal(x);
    if (bx.abs().compareTo(HUGE) > 0) {
      return bx.signum() > 0 ? BigDecimal.ONE : BigDecimal.ZERO;
    }
    return BigDecimal.ONE.divide(BigDecimal.ONE.add(exp(bx.negate()), MC), MC);
  }

  static BigDecimal bd(double v) {
    return new BigDecimal(v);
  }

  // ---------------------------------------------------------------- comparison

  /** |got - ref| <= rel * scale + abs, with got finite. */
  static void assertWithin(BigDecimal ref, double got, BigDecimal scale, double rel, double abs,
      String what) {
    if (Double.isNaN(got) || Double.isInfinite(got)) {
      fail(what + ": expected ~" + ref.round(new MathContext(20)) + " but got " + got);
    }
    BigDecimal err = new BigDecimal(got).subtract(ref).abs();
    BigDecimal bound = scale.abs().multiply(new BigDecimal(rel)).add(new BigDecimal(abs));
    if (err.compareTo(bound) > 0) {
      fail(what + ": expected ~" + ref.round(new MathContext(20)) + " but got " + got
          + " (error " + err.round(new MathContext(3)) + " > bound "
          + bound.round(new MathContext(3)) + ")");
    }
  }

  /** Relative to the reference itself, plus 4 Double.MIN_VALUE (a few ulp of a subnormal). */
  static void assertRelative(BigDecimal ref, double got, double rel, String what) {
    assertWithin(ref, got, ref, rel, 4 * Double.MIN_VALUE, what);
  }
}
