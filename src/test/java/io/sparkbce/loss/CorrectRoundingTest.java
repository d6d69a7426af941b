package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.round;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CorrectRounding#quotient} against two independent references: IEEE division of exact
 * integers (correctly rounded by the hardware) and {@link HighPrecision#round}, which builds the
 * double's bits directly. The reference itself is first checked against IEEE division and
 * {@link BigDecimal#doubleValue()}.
 */
class CorrectRoundingTest {
  private static final BigInteger ONE = BigInteger.ONE;

  private static BigInteger pow2(int e) {
    return ONE.shiftLeft(e);
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  /** Bitwise, so that -0.0 and 0.0 differ and NaN equals NaN. */
  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  private static double q(BigInteger num, BigInteger den, int exp2) {
    return CorrectRounding.quotient(num, den, exp2);
  }

  // ------------------------------------------------------------------ the reference itself

  @Test
  void referenceAgreesWithIeeeDivisionOfExactIntegers() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      long a = r.nextLong(-(1L << 53), 1L << 53);
      long b = r.nextLong(1, 1L << 53) * (r.nextBoolean() ? 1 : -1);
      assertBits((double) a / (double) b, round(big(a), big(b)), a + "/" + b);
    }
  }

  @Test
  void referenceAgreesWithBigDecimalDoubleValue() {
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < 5_000; i++) {
      // random decimals across the whole double range, many digits
      BigDecimal v = new BigDecimal(new BigInteger(200, new java.util.Random(r.nextLong())),
          r.nextInt(-300, 1400));
      if (r.nextBoolean()) {
        v = v.negate();
      }
      assertBits(v.doubleValue(), round(v), v.round(new MathContext(30)).toString());
    }
  }

  // ------------------------------------------------------------------ CorrectRounding

  @Test
  void exactIntegerQuotientsMatchIeeeDivision() {
    SplittableRandom r = new SplittableRandom(13);
    for (int i = 0; i < 20_000; i++) {
      long a = r.nextLong(-(1L << 53), 1L << 53);
      long b = r.nextLong(1, 1L << 53) * (r.nextBoolean() ? 1 : -1);
      assertBits((double) a / (double) b, q(big(a), big(b), 0), a + "/" + b);
    }
  }

  @Test
  void randomBigRationalsWithRandomExponentsMatchTheReference() {
    SplittableRandom r = new SplittableRandom(14);
    java.util.Random jr = new java.util.Random(14);
    for (int i = 0; i < 20_000; i++) {
      BigInteger num = new BigInteger(1 + r.nextInt(300), jr);
      BigInteger den = new BigInteger(1 + r.nextInt(300), jr).add(ONE);
      if (r.nextBoolean()) {
        num = num.negate();
      }
      if (r.nextInt(4) == 0) {
        den = den.negate();
      }
      int exp2 = r.nextInt(-1500, 1300);
      BigInteger n = exp2 >= 0 ? num.shiftLeft(exp2) : num;
      BigInteger d = exp2 >= 0 ? den : den.shiftLeft(-exp2);
      double expected = num.signum() == 0 ? 0.0 : round(n, d);
      assertBits(expected, q(num, den, exp2), num + "/" + den + "*2^" + exp2);
    }
  }

  @Test
  void tiesGoToEven() {
    // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2: the even one is 2^53.
    assertBits(0x1p53, q(pow2(53).add(ONE), ONE, 0), "2^53+1");
    // 2^53 + 3 lies halfway between 2^53 + 2 (odd mantissa) and 2^53 + 4 (even).
    assertBits(0x1p53 + 4, q(pow2(53).add(big(3)), ONE, 0), "2^53+3");
    // 1 + 2^-53: halfway between 1 and 1 + 2^-52 -> 1.
    assertBits(1.0, q(pow2(53).add(ONE), ONE, -53), "1+2^-53");
    // (1 + 3*2^-53) -> 1 + 2^-51
    assertBits(1.0 + 0x1p-51, q(pow2(53).add(big(3)), ONE, -53), "1+3*2^-53");
    // just above / below a tie: the sticky bit decides
    assertBits(0x1p53 + 2, q(pow2(53).shiftLeft(10).add(pow2(10)).add(ONE), ONE, -10),
        "just above tie");
    assertBits(0x1p53, q(pow2(53).shiftLeft(10).add(pow2(10)).subtract(ONE), ONE, -10),
        "just below tie");
    // a tie reached through a non-trivial denominator: (2^54 + 2) / 2 = 2^53 + 1 -> 2^53
    assertBits(0x1p53, q(pow2(54).add(big(2)), big(2), 0), "(2^54+2)/2");
    // 5/2 * 2^-1074 = 2.5 MIN_VALUE -> 2 MIN_VALUE; 3/2 -> 2; 1/2 -> 0
    assertBits(2 * Double.MIN_VALUE, q(big(5), big(2), -1074), "2.5 MIN_VALUE");
    assertBits(2 * Double.MIN_VALUE, q(big(3), ONE, -1075), "1.5 MIN_VALUE");
    assertBits(0.0, q(ONE, ONE, -1075), "0.5 MIN_VALUE");
    assertBits(-0.0, q(big(-1), ONE, -1075), "-0.5 MIN_VALUE");
  }

  @Test
  void subnormalResults() {
    assertBits(Double.MIN_VALUE, q(ONE, ONE, -1074), "MIN_VALUE");
    assertBits(Double.MIN_VALUE, q(big(3), ONE, -1076), "0.75 MIN_VALUE");
    assertBits(0.0, q(ONE, ONE, -1076), "0.25 MIN_VALUE");
    assertBits(0.0, q(ONE, ONE, -5000), "2^-5000");
    assertBits(0.0, q(ONE, pow2(4000), 0), "1/2^4000");
    assertBits(-0.0, q(ONE, pow2(4000).negate(), 0), "-1/2^4000");
    // 12345 * 2^-1074 exactly
    assertBits(12345 * Double.MIN_VALUE, q(big(12345), ONE, -1074), "12345 MIN_VALUE");
    // the largest subnormal is exact
    double largestSubnormal = Double.longBitsToDouble(0x000FFFFFFFFFFFFFL);
    assertBits(largestSubnormal, q(pow2(52).subtract(ONE), ONE, -1074), "largest subnormal");
    // a subnormal from a long mantissa: drop 8 bits, round to nearest
    long mant = 0x0123456789ABCDEFL;
    long expected = (mant >> 8) + (((mant & 0xFF) > 0x80) ? 1 : 0);
    assertBits(Double.longBitsToDouble(expected), q(big(mant), ONE, -1082), "long mantissa");
    // 1/3 of the smallest normal
    assertBits(round(ONE, pow2(1022).multiply(big(3))), q(ONE, big(3), -1022), "MIN_NORMAL/3");
    assertBits(Double.longBitsToDouble(0x0005555555555555L), q(ONE, big(3), -1022),
        "MIN_NORMAL/3 bits");
  }

  @Test
  void roundingUpIntoTheNextBinade() {
    // 2^54 - 1 has 54 significant bits, all ones: it rounds up to 2^54.
    assertBits(0x1p54, q(pow2(54).subtract(ONE), ONE, 0), "2^54-1");
    // (2^53 - 1/2) in units of 2^-1 -> 2^53... more generally 1 - 2^-54 rounds to 1.0
    assertBits(1.0, q(pow2(54).subtract(ONE), ONE, -54), "1-2^-54");
    // the largest subnormal plus half a unit is a tie with an odd mantissa: up to MIN_NORMAL
    assertBits(Double.MIN_NORMAL, q(pow2(53).subtract(ONE), ONE, -1075), "to MIN_NORMAL");
    // slightly less than that stays subnormal
    assertBits(Double.longBitsToDouble(0x000FFFFFFFFFFFFFL),
        q(pow2(54).subtract(big(3)), ONE, -1076), "stays subnormal");
    // 0.99999... / 1 with a big denominator: (3^400 - 1) / 3^400 -> 1.0
    BigInteger t = big(3).pow(400);
    assertBits(1.0, q(t.subtract(ONE), t, 0), "(3^400-1)/3^400");
  }

  @Test
  void overflowGoesToInfinity() {
    BigInteger maxMantissa = pow2(53).subtract(ONE);
    assertBits(Double.MAX_VALUE, q(maxMantissa, ONE, 971), "MAX_VALUE");
    // MAX_VALUE + half an ulp is a tie with an odd mantissa: rounds up, to infinity
    assertBits(Double.POSITIVE_INFINITY, q(pow2(54).subtract(ONE), ONE, 970), "MAX + ulp/2");
    // just below that tie: MAX_VALUE
    assertBits(Double.MAX_VALUE, q(pow2(54).subtract(ONE).shiftLeft(8).subtract(ONE), ONE, 962),
        "MAX + ulp/2 - tiny");
    assertBits(Double.POSITIVE_INFINITY, q(ONE, ONE, 1024), "2^1024");
    assertBits(Double.POSITIVE_INFINITY, q(ONE, ONE, 100_000), "2^100000");
    assertBits(Double.NEGATIVE_INFINITY, q(big(-1), ONE, 1024), "-2^1024");
    assertBits(Double.NEGATIVE_INFINITY, q(pow2(3000), big(-3), 0), "-2^3000/3");
    assertBits(0x1p1023, q(ONE, ONE, 1023), "2^1023");
  }

  @Test
  void negativeValuesAndSigns() {
    assertBits(-1.0 / 3.0, q(big(-1), big(3), 0), "-1/3");
    assertBits(-1.0 / 3.0, q(ONE, big(-3), 0), "1/-3");
    assertBits(1.0 / 3.0, q(big(-1), big(-3), 0), "-1/-3");
    assertBits(-0x1p53, q(pow2(53).add(ONE).negate(), ONE, 0), "-(2^53+1): tie to even");
    assertBits(-(0x1p53 + 4), q(pow2(53).add(big(3)).negate(), ONE, 0), "-(2^53+3)");
    assertBits(-Double.MIN_VALUE, q(big(-3), ONE, -1076), "-0.75 MIN_VALUE");
    assertBits(-Double.MAX_VALUE, q(pow2(53).subtract(ONE).negate(), ONE, 971), "-MAX");
    assertEquals(0.0, q(BigInteger.ZERO, big(-7), 0), 0.0, "0/-7 is a zero (either sign)");
  }
}
