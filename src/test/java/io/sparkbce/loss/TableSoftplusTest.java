package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first tier of correct rounding: {@link TableSoftplus}'s proven 2^-68 against
 * {@link HighPrecision}'s 64 digits (a bound that does not hold would let the rounding test
 * accept wrongly rounded losses), and how often its rounding test hands over to the next tier.
 */
class TableSoftplusTest {

  @Test
  void tailWithin2ToTheMinus68() {
    SplittableRandom r = new SplittableRandom(93);
    DoubleDouble t = new DoubleDouble();
    double worst = 0;
    for (int i = 0; i < 20_000; i++) {
      // Every table entry of both tables, near 0, tails, and the domain's end.
      double a = new double[] {r.nextDouble(0, 1), r.nextDouble(0, 8), r.nextDouble(0, 40),
          r.nextDouble(0, TableSoftplus.LARGEST), Math.pow(10, r.nextDouble(-300, 0)),
          i * 0x1p-12, TableSoftplus.LARGEST - r.nextDouble(0, 1)}[i % 7];
      TableSoftplus.tail(a, t);
      BigDecimal ref = HighPrecision.log1p(HighPrecision.exp(new BigDecimal(a).negate()));
      BigDecimal got = new BigDecimal(t.hi).add(new BigDecimal(t.lo));
      double err = got.subtract(ref).abs().divide(ref, HighPrecision.MC).doubleValue();
      assertTrue(err <= TableSoftplus.ERROR, "log1p(e^-" + a + "): relative error " + err);
      assertTrue(t.hi == t.hi + t.lo, "normalised at " + a);
      worst = Math.max(worst, err);
    }
    System.out.println("TableSoftplus: worst relative error 2^" + Math.log(worst) / Math.log(2));
  }

  /** About 2^-10 of typical losses go to the double-double tier; never more than 1%. */
  @Test
  void theTableTierDecidesAlmostEveryLoss() {
    SplittableRandom r = new SplittableRandom(94);
    DoubleDouble out = new DoubleDouble();
    int n = 200_000;
    int handedOver = 0;
    for (int i = 0; i < n; i++) {
      double x = r.nextGaussian() * 5;
      double y = r.nextInt(3) == 0 ? r.nextDouble() : r.nextInt(2);
      if (!CorrectlyRounded.withLogitsTable(x, y, 0.5 + r.nextDouble(), 1 + r.nextInt(4), null,
          out)) {
        handedOver++;
      }
    }
    System.out.println("TableSoftplus: " + handedOver + " of " + n + " handed over");
    assertTrue(handedOver < n / 100, handedOver + " of " + n);
  }
}
