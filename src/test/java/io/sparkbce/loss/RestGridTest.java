package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Tier 1's rests truncated to 2^-32 ulp(hi) ({@link ExactSum#addWithRest}): each addition against
 * the definition computed in BigDecimal, the sum's independence of order and split, and the
 * truncation's term in {@link TrueSum}'s bound.
 */
class RestGridTest {
  private static final BigDecimal SCALE = new BigDecimal(BigInteger.ONE.shiftLeft(1074));

  /** A double in units of 2^-1074 (exact). */
  private static BigInteger units(double v) {
    return new BigDecimal(v).multiply(SCALE).toBigIntegerExact();
  }

  /** hi + lo with lo truncated towards zero to a multiple of Math.ulp(hi) 2^-32, in 2^-1074s. */
  private static BigInteger expected(double hi, double lo) {
    BigInteger rest = units(lo);
    if (Math.abs(hi) >= 0x1p-937 && Math.abs(lo) < Math.ulp(hi) / 2) {
      BigInteger grid = units(Math.ulp(hi) * 0x1p-32);
      rest = rest.divide(grid).multiply(grid); // BigInteger division truncates towards zero
    }
    return units(hi).add(rest);
  }

  private static double randomHi(Random r) {
    int e = r.nextInt(10) == 0 ? -1070 + r.nextInt(200) : -60 + r.nextInt(80);
    double hi = Math.scalb(1 + r.nextDouble(), e);
    return r.nextBoolean() ? hi : -hi;
  }

  private static double randomRest(Random r, double hi) {
    // below ulp(hi)/2, often with bits below the grid; sometimes exactly on it or zero
    switch (r.nextInt(6)) {
      case 0:
        return 0.0;
      case 1:
        return Math.ulp(hi) * 0x1p-32 * (r.nextInt(1 << 20) - (1 << 19));
      case 2:
        return Math.ulp(hi) * 0.5 * (r.nextBoolean() ? 1 : -1);
      default:
        return Math.ulp(hi) * (r.nextDouble() - 0.5);
    }
  }

  @Test
  void eachAdditionIsHiPlusTheTruncatedRest() {
    Random r = new Random(17);
    for (int i = 0; i < 100_000; i++) {
      double hi = randomHi(r);
      double lo = randomRest(r, hi);
      ExactSum s = new ExactSum();
      s.addWithRest(hi, lo);
      assertEquals(expected(hi, lo), s.scaledValue(), () -> hi + " + " + lo);
    }
  }

  @Test
  void aSumOfTruncatedRestsDoesNotDependOnOrderOrSplit() {
    Random r = new Random(4);
    int n = 20_000;
    double[] his = new double[n];
    double[] los = new double[n];
    BigInteger total = BigInteger.ZERO;
    for (int i = 0; i < n; i++) {
      his[i] = randomHi(r);
      los[i] = randomRest(r, his[i]);
      total = total.add(expected(his[i], los[i]));
    }
    ExactSum whole = new ExactSum();
    whole.addAllWithRests(his, los, 0, n);
    assertEquals(total, whole.scaledValue());
    ExactSum merged = new ExactSum();
    for (int from = n; from > 0; ) {
      int size = Math.min(from, 1 + r.nextInt(2000));
      from -= size;
      ExactSum part = new ExactSum();
      part.addAllWithRests(his, los, from, size);
      merged.merge(part);
    }
    assertEquals(total, merged.scaledValue());
  }

  @Test
  void theTruncationWidensTheBound() {
    // S = 1 + 2^-53 + 2^-80 + 2^-84: 2^-80 + 2^-84 above the midpoint between 1 and its successor.
    // Rests to 2^-80 alone bound the error by about 2^-80 S: decided; the grid's 2^-84 S more
    // reaches the midpoint: undecided.
    double lo = 0x1p-53 + 0x1p-80 + 0x1p-84;
    TrueSum truncated = new TrueSum();
    truncated.restBits(80);
    truncated.add(1.0, lo);
    assertFalse(truncated.rounded().decided);
    TrueSum exact = new TrueSum();
    exact.restBits(81);
    exact.add(1.0, lo);
    assertTrue(exact.rounded().decided, "without truncation 2^-81 S + 2^-133 S is below 2^-80");
    // the term survives a merge into a state that never truncated
    TrueSum union = new TrueSum();
    union.restBits(81);
    union.merge(truncated);
    assertFalse(union.rounded().decided);
  }

  @Test
  void tierOneRestsAreTruncatedAndExactRestsAreNot() {
    double lo = 0x1p-54 + 0x1p-90; // 2^-90 is below the grid of hi = 1 (2^-84)
    BigInteger onGrid = BigInteger.ONE.shiftLeft(1074).add(BigInteger.ONE.shiftLeft(1074 - 54));
    TrueSum table = new TrueSum();
    table.add(1.0, lo);
    assertEquals(onGrid, table.exactSum().scaledValue());
    TrueSum doubleDouble = new TrueSum();
    doubleDouble.restBits(Rests.DOUBLE_DOUBLE.bits);
    doubleDouble.add(1.0, lo);
    assertEquals(onGrid.add(BigInteger.ONE.shiftLeft(1074 - 90)),
        doubleDouble.exactSum().scaledValue());
  }
}
