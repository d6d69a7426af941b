package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.exactSum;
import static io.sparkbce.loss.HighPrecision.round;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ExactSum} against exact {@link BigDecimal} sums rounded by {@link HighPrecision}. */
class ExactSumTest {
  private static final double MAX = Double.MAX_VALUE;
  private static final double MIN = Double.MIN_VALUE;
  private static final double INF = Double.POSITIVE_INFINITY;

  static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  static ExactSum sumOf(double... values) {
    ExactSum s = new ExactSum();
    for (double v : values) {
      s.add(v);
    }
    return s;
  }

  /** Checks value(), scaledValue() and BigDecimal.doubleValue() agreement for finite data. */
  private static void checkAgainstReference(double[] values, String what) {
    BigDecimal exact = exactSum(values);
    double expected = round(exact);
    ExactSum s = sumOf(values);
    assertTrue(s.isFinite(), what);
    assertEquals(HighPrecision.inUnitsOfMinValue(exact), s.scaledValue(), what + " scaledValue");
    assertBits(expected, s.value(), what);
    // cross-check of the reference: JDK 17's BigDecimal.doubleValue() is correctly rounded too
    assertBits(expected, exact.doubleValue(), what + " (reference cross-check)");
  }

  // ------------------------------------------------------------------ generators

  private static double[] uniform(SplittableRandom r, int n, double scale) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble() * scale;
    }
    return v;
  }

  /** Gaussians times 10^k for a random k per value, random signs. */
  private static double[] wideMagnitudes(SplittableRandom r, int n, int maxDecade) {
    Random g = new Random(r.nextLong());
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = g.nextGaussian() * Math.pow(10, r.nextInt(-maxDecade, maxDecade + 1));
    }
    return v;
  }

  /** Random finite bit patterns: every exponent from subnormal to MAX_VALUE's binade. */
  private static double[] randomBits(SplittableRandom r, int n, int maxBiasedExponent) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      long bits = r.nextLong() & 0x800FFFFFFFFFFFFFL;
      bits |= (long) r.nextInt(0, maxBiasedExponent + 1) << 52;
      v[i] = Double.longBitsToDouble(bits);
    }
    return v;
  }

  private static double[] shuffled(double[] values, long seed) {
    List<Double> l = new ArrayList<>();
    for (double v : values) {
      l.add(v);
    }
    Collections.shuffle(l, new Random(seed));
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = l.get(i);
    }
    return out;
  }

  private static double[] concat(double[]... parts) {
    int n = 0;
    for (double[] p : parts) {
      n += p.length;
    }
    double[] out = new double[n];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static double[] negated(double[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = -values[i];
    }
    return out;
  }

  // ------------------------------------------------------------------ correct rounding

  /**
   * addAll splits its values over two sums: the result (value, specials, serialised form) equals
   * adding them one by one, also when the specials sit only at odd positions and when the sum is
   * read, merged or written between calls.
   */
  @Test
  void addAllEqualsAddingOneByOne() throws IOException {
    Random r = new Random(3);
    double[][] blocks = {
      {1e300, 1, -1e300, 1e-300, 2, -2, 3, 5, 7, 1e-310, -4e-320, 1e16, -1e16, 0.1},
      {1, Double.NaN, 2, 3, 4, 5, 6, 7, 8, 9},
      {1, Double.POSITIVE_INFINITY, 2, Double.NEGATIVE_INFINITY, 3, 4, 5, 6, 7, 8},
      {1, Double.POSITIVE_INFINITY, 2, 3, 4, 5, 6, 7, 8, 9, 10},
      new double[1000], new double[7]};
    for (int i = 0; i < 1000; i++) {
      blocks[4][i] = (r.nextDouble() - 0.4) * Math.pow(2, r.nextInt(200) - 100);
    }
    for (double[] block : blocks) {
      ExactSum one = new ExactSum();
      ExactSum all = new ExactSum();
      for (int rep = 0; rep < 3; rep++) {
        for (double v : block) {
          one.add(v);
        }
        all.addAll(block, 0, block.length);
        String what = Arrays.toString(Arrays.copyOf(block, 4)) + " x" + (rep + 1);
        assertBits(one.value(), all.value(), what);
        assertEquals(one.isFinite(), all.isFinite(), what);
        assertEquals(one, all, what);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        one.writeTo(new DataOutputStream(a));
        all.writeTo(new DataOutputStream(b));
        assertEquals(Arrays.toString(a.toByteArray()), Arrays.toString(b.toByteArray()), what);
      }
      ExactSum merged = new ExactSum();
      ExactSum pending = new ExactSum();
      pending.addAll(block, 0, block.length);
      merged.merge(pending);
      ExactSum reference = new ExactSum();
      for (double v : block) {
        reference.add(v);
      }
      assertEquals(reference, merged);
    }
  }

  /**
   * addAll's per-exponent bins hold 2^10 significands; longer blocks, values all in one bin with
   * the largest significand, subnormals, zeros, mixed signs and specials mid-block must still give
   * the exact sum (BigDecimal) and the same state as adding one by one.
   */
  @Test
  void addAllOfLongBlocksIsExact() throws IOException {
    SplittableRandom r = new SplittableRandom(41);
    double largestSignificand = Math.nextDown(2.0);
    double[] sameBin = new double[5000];
    Arrays.fill(sameBin, largestSignificand);
    double[] sameBinNegative = new double[3000];
    Arrays.fill(sameBinNegative, -largestSignificand);
    double[] mixed = wideMagnitudes(r, 6000, 300);
    for (int i = 0; i < mixed.length; i += 7) {
      mixed[i] = i % 3 == 0 ? 0.0 : i % 3 == 1 ? Double.MIN_VALUE * (i + 1) : -0.0;
    }
    double[] maxima = new double[2100];
    for (int i = 0; i < maxima.length; i++) {
      maxima[i] = (i % 2 == 0 ? 1 : -1) * Double.MAX_VALUE / (1 + i % 5);
    }
    for (double[] block : List.of(sameBin, sameBinNegative, mixed, maxima)) {
      ExactSum all = new ExactSum();
      all.addAll(block, 0, block.length);
      BigDecimal exact = exactSum(block);
      String what = block.length + " values from " + block[0];
      assertEquals(HighPrecision.inUnitsOfMinValue(exact), all.scaledValue(), what);
      assertBits(round(exact), all.value(), what);
      assertEquals(sumOf(block), all, what);
    }
    double[] withSpecials = uniform(r, 3000, 1.0);
    withSpecials[1500] = Double.POSITIVE_INFINITY;
    ExactSum inf = new ExactSum();
    inf.addAll(withSpecials, 0, withSpecials.length);
    assertBits(Double.POSITIVE_INFINITY, inf.value(), "+inf mid-block");
    withSpecials[2999] = Double.NEGATIVE_INFINITY;
    ExactSum both = new ExactSum();
    both.addAll(withSpecials, 1000, 2000);
    assertBits(Double.NaN, both.value(), "+inf and -inf");
    ExactSum tail = new ExactSum();
    tail.addAll(withSpecials, 0, 1500);
    assertBits(round(exactSum(Arrays.copyOf(withSpecials, 1500))), tail.value(), "before the inf");
  }

  @Test
  void randomDataIsCorrectlyRounded() {
    SplittableRandom r = new SplittableRandom(20);
    for (int round = 0; round < 10; round++) {
      checkAgainstReference(uniform(r, 1000, 1), "uniform[0,1) #" + round);
      checkAgainstReference(uniform(r, 1000, 10), "uniform[0,10) #" + round);
      checkAgainstReference(wideMagnitudes(r, 500, 20), "gaussian*10^[-20,20] #" + round);
      checkAgainstReference(wideMagnitudes(r, 300, 300), "gaussian*10^[-300,300] #" + round);
      checkAgainstReference(randomBits(r, 300, 2046), "random bits #" + round);
      checkAgainstReference(randomBits(r, 300, 60), "subnormal and tiny #" + round);
    }
  }

  @Test
  void hugeCancellationLeavesOnlyTheSmallValues() {
    SplittableRandom r = new SplittableRandom(21);
    for (int round = 0; round < 10; round++) {
      double[] big = randomBits(r, 300, 2000);
      double[] small = wideMagnitudes(r, 20, 100);
      double[] all = shuffled(concat(big, small, negated(big)), r.nextLong());
      checkAgainstReference(all, "cancellation #" + round);
      // the exact sum is exactly the sum of the small values
      assertBits(round(exactSum(small)), sumOf(all).value(), "cancellation leaves small #" + round);
    }
  }

  @Test
  void everyExponentAndChunkOffset() {
    // all-ones mantissas at every biased exponent: each touches three chunks at every offset
    List<Double> values = new ArrayList<>();
    for (int biased = 0; biased <= 2046; biased++) {
      values.add(Double.longBitsToDouble(((long) biased << 52) | 0xFFFFFFFFFFFFFL));
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    checkAgainstReference(v, "every exponent");
    double[] alternating = v.clone();
    for (int i = 0; i < alternating.length; i += 2) {
      alternating[i] = -alternating[i];
    }
    checkAgainstReference(alternating, "every exponent, alternating signs");
    for (int biased = 0; biased <= 2046; biased++) {
      double x = Double.longBitsToDouble(((long) biased << 52) | 0x8000000000001L);
      checkAgainstReference(new double[] {x, x / 3, -x / 7}, "exponent " + biased);
      assertBits(x, sumOf(x).value(), "single value " + x);
      assertBits(-x, sumOf(-x).value(), "single value " + -x);
    }
  }

  @Test
  void adversarialClassics() {
    assertBits(1e-300, sumOf(1e300, 1e-300, -1e300).value(), "1e300 + 1e-300 - 1e300");
    assertBits(1e-300, sumOf(1e300, -1e300, 1e-300).value(), "other order");
    assertBits(2.0, sumOf(1.0, 1e100, 1.0, -1e100).value(), "1 + 1e100 + 1 - 1e100");
    assertBits(0.1 + 0.0, sumOf(0.1, 1e17, -1e17).value(), "0.1 survives 1e17");
    checkAgainstReference(new double[] {0.1, 0.2, 0.3, -0.6}, "0.1+0.2+0.3-0.6");
    // 0.1+0.2+0.3-0.6 is not zero in exact arithmetic (it is 2^-54 * something)
    assertNotEquals(0.0, sumOf(0.1, 0.2, 0.3, -0.6).value());
    // ties to even at the last place of 1.0
    assertBits(1.0, sumOf(1.0, 0x1p-53).value(), "1 + 2^-53 ties to 1");
    assertBits(1.0 + 0x1p-52, sumOf(1.0, 0x1p-53, 0x1p-200).value(), "just above the tie");
    assertBits(1.0, sumOf(1.0, 0x1p-53, -0x1p-200).value(), "just below the tie");
    assertBits(1.0 + 0x1p-50, sumOf(1.0 + 0x1p-52 + 0x1p-51, 0x1p-53).value(),
        "odd mantissa ties up");
    assertBits(1.0 + 0x1p-52, sumOf(1.0, 0x1p-53, MIN).value(), "MIN_VALUE breaks the tie");
  }

  @Test
  void subnormals() {
    assertBits(MIN, sumOf(MIN).value(), "MIN_VALUE");
    assertBits(3 * MIN, sumOf(MIN, MIN, MIN).value(), "3 MIN_VALUE");
    assertBits(0.0, sumOf(MIN, -MIN).value(), "MIN - MIN");
    assertBits(-MIN, sumOf(MIN, -MIN, -MIN).value(), "-MIN");
    double largestSubnormal = Double.longBitsToDouble(0x000FFFFFFFFFFFFFL);
    assertBits(Double.MIN_NORMAL, sumOf(largestSubnormal, MIN).value(), "to MIN_NORMAL");
    assertBits(MIN, sumOf(Double.MIN_NORMAL, -largestSubnormal).value(), "back to MIN_VALUE");
    assertBits(MIN, sumOf(1.0, MIN, -1.0).value(), "1 + MIN - 1");
    assertBits(MIN, sumOf(MAX, MIN, -MAX).value(), "MAX + MIN - MAX");
    double[] many = new double[10_000];
    Arrays.fill(many, MIN);
    assertBits(10_000 * MIN, sumOf(many).value(), "10000 MIN_VALUE");
    checkAgainstReference(new double[] {MIN, 1e-310, -3e-320, 2.5e-308, Double.MIN_NORMAL},
        "mixed subnormals");
  }

  @Test
  void overflowToInfinityAndBack() {
    assertBits(INF, sumOf(MAX, MAX).value(), "MAX + MAX");
    assertBits(-INF, sumOf(-MAX, -MAX).value(), "-MAX - MAX");
    assertBits(MAX, sumOf(MAX, MAX, -MAX).value(), "MAX + MAX - MAX");
    assertBits(MAX, sumOf(MAX, MAX, MAX, -MAX, -MAX).value(), "3 MAX - 2 MAX");
    assertBits(0.0, sumOf(MAX, MAX, -MAX, -MAX).value(), "2 MAX - 2 MAX");
    // MAX + half an ulp of MAX is a tie with an odd mantissa: IEEE rounds it to infinity
    assertBits(INF, sumOf(MAX, 0x1p970).value(), "MAX + ulp/2");
    assertBits(MAX, sumOf(MAX, 0x1p970, -MIN).value(), "MAX + ulp/2 - MIN_VALUE");
    assertBits(MAX, sumOf(MAX, 0x1p969).value(), "MAX + ulp/4");
    assertBits(-INF, sumOf(-MAX, -0x1p970).value(), "-MAX - ulp/2");
    double[] tenBig = new double[19];
    for (int i = 0; i < 19; i++) {
      tenBig[i] = i < 10 ? 1e308 : -1e308;
    }
    assertBits(1e308, sumOf(tenBig).value(), "10 x 1e308 - 9 x 1e308");
    assertBits(1e308, sumOf(shuffled(tenBig, 3)).value(), "same, shuffled");
    BigDecimal exact = exactSum(MAX, MAX, MAX);
    assertBits(round(exact), sumOf(MAX, MAX, MAX).value(), "reference agrees on overflow");
    assertBits(INF, round(exact), "reference overflows too");
  }

  @Test
  void infinitiesAndNaN() {
    assertBits(INF, sumOf(1, INF, 2).value(), "+inf");
    assertBits(-INF, sumOf(1, Double.NEGATIVE_INFINITY, MAX, MAX).value(), "-inf");
    assertBits(Double.NaN, sumOf(INF, Double.NEGATIVE_INFINITY).value(), "+inf - inf");
    assertBits(Double.NaN, sumOf(1, Double.NaN, 2).value(), "NaN");
    assertBits(Double.NaN, sumOf(INF, Double.NaN).value(), "NaN wins over +inf");
    assertBits(Double.NaN, sumOf(Double.NaN, Double.NEGATIVE_INFINITY).value(), "over -inf");
    // a non-canonical NaN bit pattern is NaN too
    assertBits(Double.NaN, sumOf(Double.longBitsToDouble(0xFFF8000000000123L)).value(), "-NaN");
    assertFalse(sumOf(INF).isFinite());
    assertFalse(sumOf(Double.NaN).isFinite());
    assertTrue(sumOf(MAX, MAX).isFinite(), "an overflowing finite sum is still finite");
    // merged specials
    ExactSum plus = sumOf(1, INF);
    ExactSum minus = sumOf(2, Double.NEGATIVE_INFINITY);
    ExactSum merged = plus.copy();
    merged.merge(minus);
    assertBits(Double.NaN, merged.value(), "merge of +inf and -inf");
    assertBits(INF, plus.value(), "merge leaves its argument alone");
    ExactSum withNaN = sumOf(3);
    withNaN.merge(sumOf(Double.NaN));
    assertBits(Double.NaN, withNaN.value(), "merged NaN");
  }

  @Test
  void zeros() {
    assertEquals(0.0, new ExactSum().value(), 0.0);
    assertEquals(0.0, sumOf(0.0, -0.0).value(), 0.0);
    assertEquals(0.0, sumOf(-0.0).value(), 0.0, "a zero (sign is not specified)");
    assertEquals(BigInteger.ZERO, new ExactSum().scaledValue());
    assertEquals(new ExactSum(), sumOf(0.0, -0.0, 5, -5));
  }

  // ------------------------------------------------------------------ order independence

  @Test
  void shuffledOrdersGiveTheSameBits() {
    SplittableRandom r = new SplittableRandom(22);
    double[] values = concat(wideMagnitudes(r, 2000, 30), randomBits(r, 200, 2046));
    double expected = round(exactSum(values));
    ExactSum first = sumOf(values);
    for (int i = 0; i < 20; i++) {
      ExactSum s = sumOf(shuffled(values, i));
      assertBits(expected, s.value(), "shuffle " + i);
      assertEquals(first, s, "equal state, shuffle " + i);
      assertEquals(first.hashCode(), s.hashCode());
    }
    assertNotEquals(first, sumOf(Arrays.copyOf(values, values.length - 1)));
  }

  /** Splits into k random pieces, sums each, merges in a random tree. */
  private static ExactSum randomTree(double[] values, int k, SplittableRandom r) {
    List<ExactSum> parts = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      parts.add(new ExactSum());
    }
    for (double v : shuffled(values, r.nextLong())) {
      parts.get(r.nextInt(k)).add(v);
    }
    while (parts.size() > 1) {
      ExactSum a = parts.remove(r.nextInt(parts.size()));
      ExactSum b = parts.remove(r.nextInt(parts.size()));
      if (r.nextBoolean()) {
        a.merge(b);
        parts.add(a);
      } else {
        b.merge(a);
        parts.add(b);
      }
    }
    return parts.get(0);
  }

  @Test
  void mergeTreesGiveTheSameBits() {
    SplittableRandom r = new SplittableRandom(23);
    for (int round = 0; round < 4; round++) {
      double[] values = concat(wideMagnitudes(r, 1500, 200), randomBits(r, 100, 2046),
          uniform(r, 500, 10));
      BigDecimal exact = exactSum(values);
      double expected = round(exact);
      ExactSum sequential = sumOf(values);
      for (int k : new int[] {1, 3, 64, 200}) {
        for (int t = 0; t < 3; t++) {
          ExactSum tree = randomTree(values, k, r);
          String what = "round " + round + " k=" + k + " tree " + t;
          assertBits(expected, tree.value(), what);
          assertEquals(sequential, tree, what);
          assertEquals(HighPrecision.inUnitsOfMinValue(exact), tree.scaledValue(), what);
          assertBits(referenceQuotient(exact, values.length), tree.dividedBy(values.length),
              what + " mean");
        }
      }
    }
  }

  @Test
  void mergeWithSpecialsIsOrderIndependent() {
    double[] values = {1, 2, INF, 3, Double.NEGATIVE_INFINITY, 4};
    SplittableRandom r = new SplittableRandom(24);
    for (int k : new int[] {1, 3, 6}) {
      assertBits(Double.NaN, randomTree(values, k, r).value(), "k=" + k);
    }
  }

  // ------------------------------------------------------------------ long runs

  @Test
  void fiveMillionAdditionsAreExact() {
    int n = 5_000_000;
    for (double v : new double[] {0.1, -1e300, 3 * MIN, 7.000000000000001}) {
      ExactSum s = new ExactSum();
      for (int i = 0; i < n; i++) {
        s.add(v);
      }
      BigDecimal exact = new BigDecimal(v).multiply(BigDecimal.valueOf(n));
      assertBits(round(exact), s.value(), n + " x " + v);
      assertEquals(HighPrecision.inUnitsOfMinValue(exact), s.scaledValue(), n + " x " + v);
    }
    // a cycle of mixed signs and magnitudes
    double[] cycle = {0.1, -0.3, 1e10, -1e-10, 2.5e-310, -7e5, 0.7};
    ExactSum s = new ExactSum();
    for (int i = 0; i < n; i++) {
      s.add(cycle[i % cycle.length]);
    }
    BigDecimal exact = BigDecimal.ZERO;
    for (int j = 0; j < cycle.length; j++) {
      long count = n / cycle.length + (j < n % cycle.length ? 1 : 0);
      exact = exact.add(new BigDecimal(cycle[j]).multiply(BigDecimal.valueOf(count)));
    }
    assertBits(round(exact), s.value(), "cycle");
  }

  // ------------------------------------------------------------------ division

  private static double referenceQuotient(BigDecimal exact, long n) {
    BigInteger[] q = HighPrecision.rational(exact);
    return round(q[0], q[1].multiply(BigInteger.valueOf(n)));
  }

  @Test
  void dividedByCountIsCorrectlyRounded() {
    SplittableRandom r = new SplittableRandom(25);
    long[] ns = {1, 2, 3, 7, 10, 1000, 1_000_003, 1L << 40, 999_999_999_989L, Long.MAX_VALUE,
        -1, -3, Long.MIN_VALUE};
    for (int round = 0; round < 20; round++) {
      double[] values = round % 2 == 0 ? wideMagnitudes(r, 300, 50) : randomBits(r, 100, 2046);
      BigDecimal exact = exactSum(values);
      ExactSum s = sumOf(values);
      for (long n : ns) {
        assertBits(referenceQuotient(exact, n), s.dividedBy(n), "round " + round + " / " + n);
      }
      long n = r.nextLong(1, Long.MAX_VALUE);
      assertBits(referenceQuotient(exact, n), s.dividedBy(n), "round " + round + " / " + n);
    }
    // exact sums whose quotient is far from a double: double rounding would show here
    assertBits(0.1, sumOf(0.1, 0.1, 0.1).dividedBy(3), "0.3.../3");
    assertBits(1.0 / 3.0, sumOf(1.0).dividedBy(3), "1/3");
    assertBits(referenceQuotient(exactSum(MAX, MAX), 2), sumOf(MAX, MAX).dividedBy(2),
        "overflowing sum / 2 comes back");
    assertBits(MAX, sumOf(MAX, MAX).dividedBy(2), "(MAX + MAX) / 2");
    assertBits(MAX, sumOf(MAX, MAX, MAX).dividedBy(3), "(3 MAX) / 3");
    // subnormal quotients with ties to even
    assertBits(2 * MIN, sumOf(MIN, MIN, MIN).dividedBy(2), "1.5 MIN_VALUE -> 2 MIN_VALUE");
    assertBits(0.0, sumOf(MIN).dividedBy(2), "0.5 MIN_VALUE -> 0");
    assertBits(MIN, sumOf(MIN).dividedBy(1), "MIN / 1");
    assertBits(MIN, sumOf(3 * MIN).dividedBy(4), "0.75 MIN_VALUE -> MIN_VALUE");
    // specials
    assertBits(INF, sumOf(INF, 1).dividedBy(3), "+inf / 3");
    assertBits(-INF, sumOf(INF, 1).dividedBy(-3), "+inf / -3");
    assertBits(Double.NaN, sumOf(Double.NaN).dividedBy(3), "NaN / 3");
  }

  /**
   * A case where rounding the sum first and then dividing gives a different double: the mean
   * must come from the exact sum.
   */
  @Test
  void dividedByCountRoundsOnceNotTwice() {
    // 1 + 2^-53 rounds to 1.0 (tie to even), but (1 + 2^-53) / 3 is not 1/3.
    ExactSum s = sumOf(1.0, 0x1p-53);
    double expected = referenceQuotient(exactSum(1.0, 0x1p-53), 3);
    assertBits(expected, s.dividedBy(3), "(1 + 2^-53) / 3");
    SplittableRandom r = new SplittableRandom(26);
    int differing = 0;
    for (int i = 0; i < 2000; i++) {
      double[] values = uniform(r, 7, 1);
      BigDecimal exact = exactSum(values);
      double ref = referenceQuotient(exact, 7);
      assertBits(ref, sumOf(values).dividedBy(7), "random #" + i);
      if (ref != round(exact) / 7) {
        differing++;
      }
    }
    assertTrue(differing > 0, "the data should include double-rounding cases");
  }

  @Test
  void dividedByExactSumIsCorrectlyRounded() {
    SplittableRandom r = new SplittableRandom(27);
    for (int round = 0; round < 200; round++) {
      double[] a = round % 3 == 0 ? randomBits(r, 30, 2046) : wideMagnitudes(r, 50, 100);
      double[] b = round % 3 == 1 ? randomBits(r, 30, 2046) : uniform(r, 40, 3);
      BigDecimal ea = exactSum(a);
      BigDecimal eb = exactSum(b);
      double expected = HighPrecision.roundQuotient(ea, eb);
      assertBits(expected, sumOf(a).dividedBy(sumOf(b)), "round " + round);
    }
    assertBits(3.0, sumOf(1, 1, 1).dividedBy(sumOf(0.5, 0.5)), "3/1");
    assertBits(HighPrecision.roundQuotient(exactSum(0.1, 0.2), exactSum(0.3, 0.3, 0.3)),
        sumOf(0.1, 0.2).dividedBy(sumOf(0.3, 0.3, 0.3)), "reference");
    // quotient of two overflowing sums is finite
    assertBits(2.0, sumOf(MAX, MAX, MAX, MAX).dividedBy(sumOf(MAX, MAX)), "4 MAX / 2 MAX");
    // result overflows / underflows
    assertBits(INF, sumOf(MAX).dividedBy(sumOf(0.5)), "MAX / 0.5");
    assertBits(MIN, sumOf(MIN).dividedBy(sumOf(1)), "MIN / 1");
    assertBits(0.0, sumOf(MIN).dividedBy(sumOf(3)), "MIN / 3 -> 0");
    assertBits(-MIN, sumOf(MIN).dividedBy(sumOf(-1, 0.5, -0.25)), "MIN / -0.75 -> -MIN");
  }

  @Test
  void dividedByExactSumFollowsIeeeForZeroAndSpecials() {
    assertBits(INF, sumOf(1, 2).dividedBy(new ExactSum()), "3/0");
    assertBits(INF, sumOf(1, 2).dividedBy(sumOf(5, -5)), "3/(5-5)");
    assertBits(-INF, sumOf(-1).dividedBy(sumOf(0.25, -0.25)), "-1/0");
    assertBits(Double.NaN, new ExactSum().dividedBy(new ExactSum()), "0/0");
    assertBits(Double.NaN, sumOf(1, -1).dividedBy(sumOf(MAX, -MAX)), "0/0 after cancellation");
    assertEquals(0.0, new ExactSum().dividedBy(sumOf(4)), 0.0, "0/4");
    assertBits(INF, sumOf(INF).dividedBy(sumOf(2)), "inf/2");
    assertBits(-INF, sumOf(INF).dividedBy(sumOf(-2)), "inf/-2");
    assertBits(0.0, sumOf(2).dividedBy(sumOf(INF)), "2/inf");
    assertBits(Double.NaN, sumOf(INF).dividedBy(sumOf(INF)), "inf/inf");
    assertBits(Double.NaN, sumOf(1).dividedBy(sumOf(Double.NaN)), "1/NaN");
    assertBits(Double.NaN, sumOf(Double.NaN).dividedBy(sumOf(1)), "NaN/1");
    assertBits(INF, sumOf(INF).dividedBy(new ExactSum()), "inf/0");
  }

  // ------------------------------------------------------------------ serialization

  private static byte[] bytes(ExactSum s) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(b)) {
      s.writeTo(out);
    }
    return b.toByteArray();
  }

  private static ExactSum read(byte[] b) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
      ExactSum s = ExactSum.readFrom(in);
      assertEquals(-1, in.read(), "readFrom consumes exactly what writeTo wrote");
      return s;
    }
  }

  @Test
  void writeToReadFromRoundTrip() throws IOException {
    SplittableRandom r = new SplittableRandom(28);
    List<double[]> cases = new ArrayList<>();
    cases.add(new double[0]);
    cases.add(uniform(r, 1000, 10));
    cases.add(wideMagnitudes(r, 1000, 300));
    cases.add(negated(uniform(r, 100, 1)));
    cases.add(randomBits(r, 100, 2046));
    cases.add(new double[] {MAX, MAX, MAX});
    cases.add(new double[] {-MAX, -MAX, -MAX});
    cases.add(new double[] {MIN});
    cases.add(new double[] {1, INF});
    cases.add(new double[] {1, Double.NEGATIVE_INFINITY});
    cases.add(new double[] {INF, Double.NEGATIVE_INFINITY});
    cases.add(new double[] {Double.NaN, 4});
    for (double[] c : cases) {
      ExactSum s = sumOf(c);
      ExactSum back = read(bytes(s));
      String what = Arrays.toString(Arrays.copyOf(c, Math.min(3, c.length)));
      assertEquals(s, back, what);
      assertBits(s.value(), back.value(), what);
      assertBits(s.dividedBy(7), back.dividedBy(7), what);
      assertEquals(s.isFinite(), back.isFinite(), what);
      if (s.isFinite()) {
        assertEquals(s.scaledValue(), back.scaledValue(), what);
      }
      // the read copy keeps accumulating exactly
      double[] more = uniform(r, 50, 100);
      for (double v : more) {
        back.add(v);
        s.add(v);
      }
      assertEquals(s, back, what + " + more");
      if (s.isFinite()) {
        assertBits(round(exactSum(concat(c, more))), back.value(), what + " + more");
      }
    }
  }

  @Test
  void serializedFormIsSmall() throws IOException {
    SplittableRandom r = new SplittableRandom(29);
    byte[] b = bytes(sumOf(uniform(r, 1000, 10)));
    assertTrue(b.length < 100, "1000 values in [0, 10) took " + b.length + " bytes");
    assertTrue(bytes(new ExactSum()).length < 10, "empty sum");
    assertTrue(bytes(sumOf(1.0)).length < 20, "1.0");
  }

  @Test
  void javaSerializationRoundTrip() throws Exception {
    SplittableRandom r = new SplittableRandom(30);
    ExactSum s = sumOf(wideMagnitudes(r, 500, 300));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(s);
    }
    ExactSum back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
      back = (ExactSum) in.readObject();
    }
    assertEquals(s, back);
    assertBits(s.value(), back.value(), "value");
  }

  @Test
  void copyIsIndependent() {
    ExactSum s = sumOf(1, 2, 3);
    ExactSum c = s.copy();
    c.add(4);
    assertBits(6.0, s.value(), "original");
    assertBits(10.0, c.value(), "copy");
    ExactSum special = sumOf(INF);
    assertBits(INF, special.copy().value(), "copy keeps infinities");
  }

  @Test
  void negativeSumsSerialiseAsCompactlyAsPositiveOnes() throws IOException {
    for (double v : new double[] {-1.0, -123.456, -1e-300, -3.5e200}) {
      ExactSum s = new ExactSum();
      s.add(v);
      s.add(v / 3);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      s.writeTo(new DataOutputStream(bytes));
      assertTrue(bytes.size() < 40, v + ": " + bytes.size() + " bytes");
      ExactSum back = ExactSum.readFrom(
          new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      assertEquals(s, back);
      assertEquals(Double.doubleToRawLongBits(s.value()), Double.doubleToRawLongBits(back.value()));
    }
  }

  @Test
  void divisionByZeroCountFollowsIeee() {
    ExactSum s = new ExactSum();
    assertTrue(Double.isNaN(s.dividedBy(0L)));
    s.add(-2.0);
    assertEquals(Double.NEGATIVE_INFINITY, s.dividedBy(0L));
    ExactSum zero = new ExactSum();
    assertEquals(Double.doubleToRawLongBits(-0.0),
        Double.doubleToRawLongBits(zero.dividedBy(s)));
  }
}
