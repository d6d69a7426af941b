package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link BlockKernel#unitLabelOnes}, which lets the quality state add counts instead of sums: on
 * both kernels, the count of a direct definition in double comparisons, and -1 as soon as one
 * element is weighted, has a pos_weight or a soft, out-of-range or NaN target.
 */
class UnitLabelOnesTest {
  /** The definition, written independently of both kernels. */
  private static long expected(double[] y, double[] w, double[] p, int from, int n) {
    long ones = 0;
    for (int i = from; i < from + n; i++) {
      if (!(w[i] == 1.0 && p[i] == 1.0 && (y[i] == 0.0 || y[i] == 1.0))) {
        return -1;
      }
      ones += y[i] == 1.0 ? 1 : 0;
    }
    return ones;
  }

  private static final double[] MISFITS = {0.5, 2, -1, -0.5, Double.NaN, Double.MIN_VALUE,
      -Double.MIN_VALUE, Math.nextUp(1.0), Math.nextDown(1.0), Math.nextUp(0.0), 1e300, -1e300,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0};

  @Test
  void bothKernelsCountTheOnesOfUnitRowsOnly() {
    BlockKernel vector = BlockKernel.vector();
    assertNotNull(vector, "surefire runs with --add-modules jdk.incubator.vector");
    SplittableRandom r = new SplittableRandom(70);
    int size = 300;
    int misfits = 0;
    for (int iteration = 0; iteration < 20_000; iteration++) {
      double[] y = new double[size];
      double[] w = new double[size];
      double[] p = new double[size];
      for (int i = 0; i < size; i++) {
        y[i] = r.nextInt(3) == 0 ? 1.0 : (r.nextBoolean() ? 0.0 : -0.0);
        w[i] = 1.0;
        p[i] = 1.0;
      }
      int from = r.nextInt(20);
      int n = r.nextInt(size - from + 1);
      if (iteration % 2 == 0 && n > 0) {
        double[] column = iteration % 3 == 0 ? y : iteration % 3 == 1 ? w : p;
        column[from + r.nextInt(n)] = MISFITS[r.nextInt(MISFITS.length)];
      }
      long want = expected(y, w, p, from, n);
      misfits += want < 0 ? 1 : 0;
      String what = "call " + iteration + " from " + from + " n " + n;
      assertEquals(want, BlockKernel.scalar().unitLabelOnes(y, w, p, from, n), what + " scalar");
      assertEquals(want, vector.unitLabelOnes(y, w, p, from, n), what + " vector");
    }
    assertEquals(true, misfits > 5_000, "the misfits were tried: " + misfits);
  }

  @Test
  void largeBlocksOfOnesCountExactly() {
    int n = 1 << 20;
    double[] ones = new double[n];
    java.util.Arrays.fill(ones, 1.0);
    assertEquals(n, BlockKernel.vector().unitLabelOnes(ones, ones, ones, 0, n));
    assertEquals(n - 3, BlockKernel.scalar().unitLabelOnes(ones, ones, ones, 3, n - 3));
  }
}
