package io.sparkbce.udf;

import java.io.Serializable;

/**
 * {@code x % d} for a constant {@code d >= 2}, Java's (and Spark's) truncating remainder, by a
 * multiplication with d's "magic" reciprocal instead of a 64-bit division (Granlund and
 * Montgomery; Warren, Hacker's Delight, 10-5): the window's {@code ts % slide} over a batch costs
 * a long multiply per row instead of an {@code idiv} of 40 or more cycles. The JIT does this
 * itself only for divisors known when it compiles.
 */
final class ConstantRemainder implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long divisor;
  private final long magic;
  /** -1 if {@link #magic} is negative as a signed number (x is then added to the product), else 0. */
  private final long addend;
  private final int shift;

  ConstantRemainder(long divisor) {
    if (divisor < 2) {
      throw new IllegalArgumentException("divisor " + divisor);
    }
    this.divisor = divisor;
    // Hacker's Delight's magic(d) for signed division, 64 bits, d > 0 (unsigned arithmetic).
    final long two63 = Long.MIN_VALUE;
    long anc = two63 - 1 - Long.remainderUnsigned(two63, divisor);
    int p = 63;
    long q1 = Long.divideUnsigned(two63, anc);
    long r1 = two63 - q1 * anc;
    long q2 = Long.divideUnsigned(two63, divisor);
    long r2 = two63 - q2 * divisor;
    long delta;
    do {
      p++;
      q1 <<= 1;
      r1 <<= 1;
      if (Long.compareUnsigned(r1, anc) >= 0) {
        q1++;
        r1 -= anc;
      }
      q2 <<= 1;
      r2 <<= 1;
      if (Long.compareUnsigned(r2, divisor) >= 0) {
        q2++;
        r2 -= divisor;
      }
      delta = divisor - r2;
    } while (Long.compareUnsigned(q1, delta) < 0 || (q1 == delta && r1 == 0));
    this.magic = q2 + 1;
    this.addend = magic < 0 ? -1L : 0L;
    this.shift = p - 64;
  }

  long divisor() {
    return divisor;
  }

  /** {@code x % divisor}. */
  long of(long x) {
    long q = (Math.multiplyHigh(magic, x) + (x & addend)) >> shift;
    q += q >>> 63;
    return x - q * divisor;
  }

  /** out[j] = in[j] % divisor for j < n. */
  void of(long[] in, long[] out, int n) {
    for (int j = 0; j < n; j++) {
      out[j] = of(in[j]);
    }
  }

  /**
   * out[j] = in[j] mod divisor, the floor modulo ({@code Math.floorMod}: in [0, divisor)), for
   * j < n: Spark's window start subtracts it from the time. Times mostly come in order, so a batch
   * usually lies in one window, the first row's: then each floor modulo is the row's distance from
   * that window's start, a subtraction, checked to lie in [0, divisor). Otherwise the batch is
   * computed row by row.
   */
  void floorOf(long[] in, long[] out, int n) {
    if (n == 0 || !distancesInOneWindow(in, out, n)) {
      long d = divisor;
      for (int j = 0; j < n; j++) {
        long r = of(in[j]);
        out[j] = r + ((r >> 63) & d);
      }
    }
  }

  /**
   * out[j] = in[j] - the start of in[0]'s window; whether each lies in [0, divisor), so that it is
   * in[j]'s floor modulo. Only for in[0] at least a divisor from either end of the long range: the
   * window's start and end are then longs, and a difference that overflows cannot wrap into
   * [0, divisor) (its true value is beyond +-2^63 - divisor).
   */
  private boolean distancesInOneWindow(long[] in, long[] out, int n) {
    long d = divisor;
    long first = in[0];
    if (first < Long.MIN_VALUE + d || first > Long.MAX_VALUE - d) {
      return false;
    }
    long r0 = of(first);
    long start = first - (r0 + ((r0 >> 63) & d));
    long outside = 0;
    for (int j = 0; j < n; j++) {
      long r = in[j] - start;
      out[j] = r;
      outside |= r | (d - 1 - r); // negative iff r < 0 or r >= d
    }
    return outside >= 0;
  }
}
