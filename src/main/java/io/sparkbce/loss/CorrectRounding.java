package io.sparkbce.loss;

import java.math.BigInteger;

/** Rounds an exact rational {@code num / den * 2^exp2} to the nearest double, ties to even. */
final class CorrectRounding {
  private static final int PRECISION = 53;
  private static final int MIN_NORMAL_EXPONENT = -1022;
  private static final int MIN_SUBNORMAL_EXPONENT = -1074;

  private CorrectRounding() {}

  static double quotient(BigInteger num, BigInteger den, int exp2) {
    int sign = num.signum() * den.signum();
    if (num.signum() == 0) {
      return 0.0;
    }
    BigInteger a = num.abs();
    BigInteger b = den.abs();
    // Enough quotient bits that at least two fall below the last kept bit (round and sticky).
    int k = Math.max(2, PRECISION + 2 + b.bitLength() - a.bitLength());
    BigInteger[] qr = a.shiftLeft(k).divideAndRemainder(b);
    BigInteger q = qr[0];
    boolean inexact = qr[1].signum() != 0;
    int e = exp2 - k;
    int length = q.bitLength();
    int leading = length - 1 + e;
    int shift = leading >= MIN_NORMAL_EXPONENT ? length - PRECISION : MIN_SUBNORMAL_EXPONENT - e;
    long kept = q.shiftRight(shift).longValueExact();
    boolean half = q.testBit(shift - 1);
    boolean below = inexact || q.getLowestSetBit() < shift - 1;
    if (half && (below || (kept & 1) == 1)) {
      kept++;
    }
    double magnitude = Math.scalb((double) kept, e + shift);
    return sign < 0 ? -magnitude : magnitude;
  }
}
