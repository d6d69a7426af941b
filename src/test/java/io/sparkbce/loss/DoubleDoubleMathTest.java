package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The error bounds the rounding test relies on ({@link DoubleDoubleMath}'s comments), measured
 * against {@link HighPrecision}'s 64-digit exp and log: a bound that does not hold would make
 * the fast path return wrongly rounded results.
 */
class DoubleDoubleMathTest {
  private static final MathContext MC = HighPrecision.MC;

  private static double relativeError(DoubleDouble got, BigDecimal ref) {
    BigDecimal v = new BigDecimal(got.hi).add(new BigDecimal(got.lo));
    return v.subtract(ref).abs().divide(ref.abs(), MC).doubleValue();
  }

  @Test
  void exponentialWithin2ToTheMinus95() {
    SplittableRandom r = new SplittableRandom(91);
    DoubleDouble e = new DoubleDouble();
    for (int i = 0; i < 3000; i++) {
      // Up to 660: below that the result's low part stays normal (the absolute term is apart).
      double a = new double[] {r.nextDouble(0, 1), r.nextDouble(0, 40), r.nextDouble(0, 660),
          Math.pow(10, r.nextDouble(-300, 0))}[i % 4];
      DoubleDoubleMath.expMinus(a, e);
      double err = relativeError(e, HighPrecision.exp(new BigDecimal(a).negate()));
      assertTrue(err <= 0x1p-95, "e^-" + a + ": relative error " + err);
    }
  }

  @Test
  void logarithmsWithin2ToTheMinus98() {
    SplittableRandom r = new SplittableRandom(92);
    DoubleDouble v = new DoubleDouble();
    for (int i = 0; i < 3000; i++) {
      double e = i % 2 == 0 ? r.nextDouble() : Math.pow(10, -r.nextDouble(0, 300));
      DoubleDoubleMath.log1p(e, 0.0, v);
      double err = relativeError(v, HighPrecision.log1p(new BigDecimal(e)));
      assertTrue(err <= 0x1p-98, "log1p(" + e + "): relative error " + err);
      double q = i % 3 == 0 ? r.nextDouble() : Math.pow(10, -r.nextDouble(0, 43));
      DoubleDoubleMath.log(q, v);
      if (q != 1.0) {
        err = relativeError(v, HighPrecision.log(new BigDecimal(q)));
        assertTrue(err <= 0x1p-98, "log(" + q + "): relative error " + err);
      }
      double p = i % 3 == 0 ? 1 - r.nextDouble() * 1e-9 : r.nextDouble();
      if (p != 0.0) {
        DoubleDoubleMath.log1pMinus(p, v);
        err = relativeError(v, HighPrecision.log(BigDecimal.ONE.subtract(new BigDecimal(p))));
        assertTrue(err <= 0x1p-98, "log(1 - " + p + "): relative error " + err);
      }
    }
  }
}
