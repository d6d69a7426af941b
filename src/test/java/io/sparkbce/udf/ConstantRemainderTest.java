package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ConstantRemainder} gives Java's {@code x % d} and {@code Math.floorMod(x, d)} (Spark's
 * BIGINT remainder and the window's floor modulo) for divisors from 2 to Long.MAX_VALUE, powers of
 * two and their neighbours, the windows' sizes in microseconds and random ones, at the ends of the
 * range, on and next to multiples of d, and at random.
 */
class ConstantRemainderTest {
  private static final long DAY = 86_400_000_000L;

  @Test
  void remaindersAreJavas() {
    SplittableRandom random = new SplittableRandom(12);
    long checked = 0;
    for (long d : divisors(random)) {
      ConstantRemainder c = new ConstantRemainder(d);
      assertEquals(d, c.divisor());
      long[] xs = values(d, random);
      long[] rem = new long[xs.length];
      long[] floor = new long[xs.length];
      c.of(xs, rem, xs.length);
      c.floorOf(xs, floor, xs.length);
      for (int j = 0; j < xs.length; j++) {
        long x = xs[j];
        assertEquals(x % d, c.of(x), x + " % " + d);
        assertEquals(x % d, rem[j], x + " % " + d);
        assertEquals(Math.floorMod(x, d), floor[j], "floorMod(" + x + ", " + d + ")");
        checked++;
      }
    }
    assertEquals(true, checked > 1_000_000);
  }

  /**
   * Batches that lie in one window (sorted times, where floorOf subtracts the window's start), in
   * windows at random, at zero and at the ends of the long range, with and without one row in
   * another window (the row before or after, or anywhere): every value is Math.floorMod's.
   */
  @Test
  void batchesInOneWindowGiveFloorMod() {
    SplittableRandom random = new SplittableRandom(13);
    long batches = 0;
    for (long d : divisors(random)) {
      ConstantRemainder c = new ConstantRemainder(d);
      long[] starts = {0, -d, Math.floorDiv(Long.MIN_VALUE, d) * d,
          Math.floorDiv(Long.MIN_VALUE, d) * d + d, Math.floorDiv(Long.MAX_VALUE, d) * d,
          Math.floorDiv(Long.MAX_VALUE, d) * d - d, Math.floorDiv(random.nextLong(), d) * d,
          Math.floorDiv(1_767_225_600_000_000L, d) * d};
      for (long start : starts) {
        for (int variant = 0; variant < 4; variant++) {
          int n = 1 + random.nextInt(64);
          long[] xs = new long[n];
          for (int j = 0; j < n; j++) {
            // start + offset, offset in [0, d), wrapping like the window's start where it is not
            // a long (then the value lies in a window cut by the end of the range)
            xs[j] = start + (j == 0 && variant == 1 ? 0 : j == n - 1 && variant == 2 ? d - 1
                : random.nextLong(d));
          }
          if (variant == 3) {
            int at = random.nextInt(n);
            long[] others = {start - 1, start + d, Long.MIN_VALUE, Long.MAX_VALUE,
                random.nextLong()};
            xs[at] = others[random.nextInt(others.length)];
          }
          long[] floor = new long[n];
          c.floorOf(xs, floor, n);
          for (int j = 0; j < n; j++) {
            assertEquals(Math.floorMod(xs[j], d), floor[j],
                "floorMod(" + xs[j] + ", " + d + ") in a batch from " + xs[0]);
          }
          batches++;
        }
      }
    }
    assertEquals(true, batches > 20_000);
  }

  @Test
  void divisorsBelowTwoAreRefused() {
    for (long d : new long[] {1, 0, -1, -2, Long.MIN_VALUE}) {
      assertThrows(IllegalArgumentException.class, () -> new ConstantRemainder(d));
    }
  }

  private static List<Long> divisors(SplittableRandom random) {
    List<Long> ds = new ArrayList<>();
    for (long d = 2; d < 300; d++) {
      ds.add(d);
    }
    for (int p = 2; p < 63; p++) {
      ds.add(1L << p);
      ds.add((1L << p) - 1);
      ds.add((1L << p) + 1);
    }
    for (long d : new long[] {1000, 1_000_000, 60_000_000L, 3_600_000_000L, DAY, 7 * DAY,
        17 * 60_000_000L, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE / 3}) {
      ds.add(d);
    }
    for (int i = 0; i < 500; i++) {
      ds.add(Math.max(2, random.nextLong(Long.MAX_VALUE) >>> random.nextInt(62)));
    }
    return ds;
  }

  private static long[] values(long d, SplittableRandom random) {
    long[] fixed = {0, 1, -1, 2, -2, d, -d, d - 1, -d + 1, d + 1, -d - 1, 2 * d, -2 * d,
        Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
        Long.MAX_VALUE / d * d, Long.MAX_VALUE / d * d - 1, Long.MIN_VALUE / d * d,
        Long.MIN_VALUE / d * d + 1, Long.MIN_VALUE / d * d - 1, -62_135_596_800_000_000L,
        253_402_300_799_999_999L};
    long[] xs = new long[fixed.length + 2000];
    System.arraycopy(fixed, 0, xs, 0, fixed.length);
    for (int j = fixed.length; j < xs.length; j++) {
      long x = random.nextLong();
      xs[j] = (j & 1) == 0 ? x >> random.nextInt(64) : x;
    }
    return xs;
  }
}
