package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The first tier of correct rounding for BCELoss: {@link TableLogarithm}'s proven relative error
 * against {@link HighPrecision}'s 64 digits (a bound that does not hold would let the rounding
 * test accept wrongly rounded losses), how often the table tier's rounding test hands over, and
 * the losses it delivers against {@link ArbitraryPrecision}'s proven rounding (the slow tier,
 * which shares nothing with the table code).
 */
class TableLogarithmTest {
  private static final double CLAMP_BELOW = CorrectlyRounded.CLAMP_BELOW;

  /** q from every region: the table's intervals, its branch ends, near 0, 1/2, 1 and the clamp. */
  static double probability(SplittableRandom r) {
    switch (r.nextInt(12)) {
      case 0:
        return r.nextDouble();
      case 1:
        return Math.pow(10, -r.nextDouble(0, 50)); // down to below the clamp (e^-100 ~ 3.7e-44)
      case 2:
        return 1 - Math.pow(2, -r.nextDouble(1, 53)); // near 1, down to 1 - 2^-53
      case 3:
        return Double.longBitsToDouble(1 + r.nextLong(0x000FFFFFFFFFFFFFL)); // subnormal
      case 4:
        return 0.5 + r.nextDouble(-1, 1) * Math.pow(2, -r.nextInt(1, 53)); // near 1/2
      case 5: {
        // Within a few ulps of the clamp's threshold.
        double v = CLAMP_BELOW;
        for (int k = r.nextInt(-4, 5); k != 0; k += k > 0 ? -1 : 1) {
          v = k > 0 ? Math.nextUp(v) : Math.nextDown(v);
        }
        return v;
      }
      case 6: {
        // Near a table interval's end 2^-j (1 + i/256), a few ulps either way.
        double v = Math.scalb(1 + r.nextInt(257) / 256.0, -r.nextInt(1, 60));
        v += r.nextInt(-3, 4) * Math.ulp(v);
        return Math.min(v, Math.nextDown(1.0));
      }
      case 7: {
        // Near the direct branches' ends: 2^-8 and 1 - 2^-8.
        double v = r.nextBoolean() ? TableLogarithm.NEAR : 1 - TableLogarithm.NEAR;
        return v + r.nextInt(-40, 41) * Math.ulp(v) * (r.nextBoolean() ? 1 : 1 << 20);
      }
      case 8:
        return 1 - r.nextInt(1, 1 << 12) * 0x1p-53; // 1 - q on the last ulps
      case 9:
        return r.nextInt(1, 1 << 12) * 0x1p-60 * (r.nextBoolean() ? 1 : 0x1p-900); // tiny
      case 10:
        return 1 / (1 + Math.exp(-r.nextGaussian() * 6)); // a model's outputs
      default:
        return Math.scalb(r.nextDouble(1, 2), -r.nextInt(1, 1075)); // any exponent
    }
  }

  /** log q at 64 digits; for q >= 1/2 as log1p(q - 1), q - 1 exact. */
  private static BigDecimal logReference(double q) {
    BigDecimal v = new BigDecimal(q);
    return q >= 0.5 ? HighPrecision.log1p(v.subtract(BigDecimal.ONE)) : HighPrecision.log(v);
  }

  /** log(1 - q) at 64 digits (its series for q <= 1/2, log of the exact 1 - q beyond). */
  private static BigDecimal log1mqReference(double q) {
    return HighPrecision.log1p(new BigDecimal(q).negate());
  }

  private static double relativeError(DoubleDouble got, BigDecimal ref) {
    BigDecimal g = new BigDecimal(got.hi).add(new BigDecimal(got.lo));
    return g.subtract(ref).abs().divide(ref.abs(), HighPrecision.MC).doubleValue();
  }

  @Test
  void logsWithinTheirProvenBound() {
    SplittableRandom r = new SplittableRandom(2024);
    DoubleDouble out = new DoubleDouble();
    double worstLog = 0;
    double worstLog1m = 0;
    int n = 12_000;
    for (int i = 0; i < n; i++) {
      double q = probability(r);
      if (!(q > 0 && q < 1)) {
        continue;
      }
      TableLogarithm.log(q, out);
      double err = relativeError(out, logReference(q));
      assertTrue(err <= TableLogarithm.ERROR, "log(" + q + "): relative error " + err);
      assertTrue(out.hi == out.hi + out.lo, "log(" + q + ") normalised");
      worstLog = Math.max(worstLog, err);
      TableLogarithm.log1mq(q, out);
      err = relativeError(out, log1mqReference(q));
      assertTrue(err <= TableLogarithm.ERROR, "log(1 - " + q + "): relative error " + err);
      assertTrue(out.hi == out.hi + out.lo, "log(1 - " + q + ") normalised");
      worstLog1m = Math.max(worstLog1m, err);
    }
    System.out.println("TableLogarithm: worst relative error 2^" + log2(worstLog)
        + " (log q), 2^" + log2(worstLog1m) + " (log(1 - q)); bound 2^"
        + log2(TableLogarithm.ERROR));
  }

  @Test
  void exactAndNamedValues() {
    DoubleDouble out = new DoubleDouble();
    TableLogarithm.log(1.0, out);
    assertEquals(0.0, out.hi, 0.0, "log 1");
    assertEquals(0.0, out.lo, 0.0, "log 1");
    TableLogarithm.log1mq(0.0, out);
    assertEquals(0.0, out.hi, 0.0, "log(1 - 0)");
    assertEquals(0.0, out.lo, 0.0, "log(1 - 0)");
    // -k ln 2 for powers of 2, and the last double below 1 (log(1 - q) = -53 ln 2).
    for (int k : new int[] {1, 2, 8, 9, 53, 100, 144, 1022, 1074}) {
      BigDecimal ref = HighPrecision.LN2.multiply(BigDecimal.valueOf(-k));
      TableLogarithm.log(Math.scalb(1.0, -k), out);
      assertTrue(relativeError(out, ref) <= TableLogarithm.ERROR, "log 2^-" + k);
      if (k <= 53) {
        TableLogarithm.log1mq(1 - Math.scalb(1.0, -k), out);
        assertTrue(relativeError(out, ref) <= TableLogarithm.ERROR, "log(1 - (1 - 2^-" + k + "))");
      }
    }
    for (double q : new double[] {Double.MIN_VALUE, CLAMP_BELOW, Math.nextDown(CLAMP_BELOW),
        Math.nextDown(1.0), Math.nextUp(0.5), Math.nextDown(0.5), 0.5, TableLogarithm.NEAR,
        1 - TableLogarithm.NEAR, Math.nextDown(TableLogarithm.NEAR),
        Math.nextUp(1 - TableLogarithm.NEAR)}) {
      TableLogarithm.log(q, out);
      assertTrue(relativeError(out, logReference(q)) <= TableLogarithm.ERROR, "log " + q);
      TableLogarithm.log1mq(q, out);
      assertTrue(relativeError(out, log1mqReference(q)) <= TableLogarithm.ERROR,
          "log(1 - " + q + ")");
    }
  }

  /** About 2^-12 of typical losses go to the double-double tier; never more than 1%. */
  @Test
  void theTableTierDecidesAlmostEveryLoss() {
    SplittableRandom r = new SplittableRandom(95);
    DoubleDouble out = new DoubleDouble();
    int n = 200_000;
    int handedOver = 0;
    for (int i = 0; i < n; i++) {
      double q = 1 / (1 + Math.exp(-r.nextGaussian() * 5));
      double y = r.nextInt(3) == 0 ? r.nextDouble() : r.nextInt(2);
      if (!CorrectlyRounded.probabilitiesTable(q, y, 0.5 + r.nextDouble(), null, out)) {
        handedOver++;
      }
    }
    System.out.println("TableLogarithm: " + handedOver + " of " + n + " handed over");
    assertTrue(handedOver < n / 100, handedOver + " of " + n);
  }

  /**
   * What the table tier delivers is the correctly rounded loss ({@link ArbitraryPrecision}'s
   * Ziv loop in BigDecimal); with rests, hi + lo is within Rests.TABLE's 2^-67 |hi| of the true
   * value (64 digits).
   */
  @Test
  void deliveredLossesAreCorrectlyRounded() {
    SplittableRandom r = new SplittableRandom(96);
    DoubleDouble out = new DoubleDouble();
    DoubleDouble ref = new DoubleDouble();
    double[] targets = {0, 1, 0.5, 0.25, 0.9, 1e-3, 1 - 0x1p-53, 0x1p-899};
    double[] weights = {1, 0.75, 3, 1e-3, -2.5, 0x1p59, 0x1p-899};
    int n = 30_000;
    int delivered = 0;
    for (int i = 0; i < n; i++) {
      double q = probability(r);
      double y = i % 3 == 0 ? r.nextDouble() : targets[r.nextInt(targets.length)];
      double w = i % 5 == 0 ? r.nextDouble(0.01, 10) : weights[r.nextInt(weights.length)];
      String what = "bce(" + q + ", " + y + ", " + w + ")";
      ArbitraryPrecision.probabilities(q, y, w, q < CLAMP_BELOW, ref);
      if (CorrectlyRounded.probabilitiesTable(q, y, w, null, out)) {
        delivered++;
        assertEquals(ref.hi, out.hi, what);
      }
      if (i % 10 == 0 && CorrectlyRounded.probabilitiesTable(q, y, w, Rests.TABLE, out)) {
        BigDecimal truth = trueLoss(q, y, w);
        BigDecimal got = new BigDecimal(out.hi).add(new BigDecimal(out.lo));
        BigDecimal bound = new BigDecimal(Math.abs(out.hi)).multiply(new BigDecimal(0x1p-67))
            .add(new BigDecimal(0x1p-940));
        assertTrue(got.subtract(truth).abs().compareTo(bound) <= 0, what + " with rests");
      }
    }
    System.out.println("TableLogarithm: " + delivered + " of " + n + " delivered by the table");
    assertTrue(delivered > n / 2, "the table tier delivered " + delivered);
  }

  /** Outside its domain the table tier hands over, and with Rests.DOUBLE_DOUBLE it never runs. */
  @Test
  void handsOverOutsideItsDomain() {
    DoubleDouble out = new DoubleDouble();
    assertTrue(!CorrectlyRounded.probabilitiesTable(0.3, 1, 0x1p61, null, out), "w > 2^60");
    assertTrue(!CorrectlyRounded.probabilitiesTable(0.3, 1, 0x1p-901, null, out), "tiny w");
    assertTrue(!CorrectlyRounded.probabilitiesTable(0.3, 0x1p-901, 1, null, out), "tiny y");
    assertTrue(!CorrectlyRounded.probabilitiesTable(0.3, 1, 1, Rests.DOUBLE_DOUBLE, out),
        "double-double rests");
    assertTrue(!CorrectlyRounded.probabilitiesTable(0.0, 0.0, 1, null, out), "zero loss");
    assertTrue(!CorrectlyRounded.probabilitiesTable(1.0, 1.0, 1, null, out), "zero loss");
  }

  /** -w (y max(log q, -100) + (1 - y) max(log(1 - q), -100)) at 64 digits. */
  static BigDecimal trueLoss(double q, double y, double w) {
    BigDecimal hundred = BigDecimal.valueOf(-100);
    BigDecimal l1 = q < CLAMP_BELOW ? hundred : q == 1 ? BigDecimal.ZERO : logReference(q);
    BigDecimal l2 = q == 1 ? hundred : q == 0 ? BigDecimal.ZERO : log1mqReference(q);
    BigDecimal yd = new BigDecimal(y);
    return new BigDecimal(w).negate().multiply(
        yd.multiply(l1).add(BigDecimal.ONE.subtract(yd).multiply(l2)));
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }
}
