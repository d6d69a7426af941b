package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.exactSum;
import static io.sparkbce.loss.HighPrecision.round;
import static io.sparkbce.loss.HighPrecision.roundQuotient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ClassLossAccumulator takes runs of array rows a class at a time (ExactSum's strided sum): every
 * class's reductions are the exact sums of its elements (BigDecimal), and the state's bytes are
 * those of the same rows accepted one element at a time.
 */
class ClassRunsTest {
  private static final int CLASSES = 8;

  @Test
  void runsOfRowsKeepEveryClassExact() {
    SplittableRandom r = new SplittableRandom(29);
    int rows = 400;
    int[] start = new int[rows];
    int[] length = new int[rows];
    int at = 0;
    for (int i = 0; i < rows; i++) {
      at += i % 9 == 4 ? 1 + r.nextInt(5) : 0; // a gap: rows not one after another
      start[i] = at;
      length[i] = CLASSES;
      at += CLASSES;
    }
    double[] v = new double[at];
    double[] w = new double[at];
    for (int k = 0; k < at; k++) {
      // Both signs, 120 binary orders of magnitude, zeros and subnormals.
      v[k] = k % 53 == 0 ? 0.0 : k % 59 == 0 ? Double.MIN_VALUE * r.nextInt(1, 1000)
          : (r.nextBoolean() ? 1 : -1) * r.nextDouble() * Math.scalb(1.0, r.nextInt(-60, 60));
      w[k] = r.nextDouble(0.1, 3);
    }
    double[] unused = new double[at];
    ClassLossAccumulator runs = new ClassLossAccumulator(true);
    ClassLossAccumulator oneByOne = new ClassLossAccumulator(true);
    for (int from = 0; from < rows; ) { // runs of 1 to 60 rows
      int to = Math.min(rows, from + 1 + r.nextInt(60));
      runs.acceptArrayRows(unused, unused, unused, v, new double[at], w, start, length, from, to);
      from = to;
    }
    for (int i = 0; i < rows; i++) {
      oneByOne.beginBlock(CLASSES);
      for (int c = 0; c < CLASSES; c++) {
        oneByOne.accept(c, v[start[i] + c], w[start[i] + c]);
      }
    }
    assertArrayEquals(oneByOne.toBytes(), runs.toBytes());
    for (int c = 0; c < CLASSES; c++) {
      double[] values = new double[rows];
      double[] weights = new double[rows];
      for (int i = 0; i < rows; i++) {
        values[i] = v[start[i] + c];
        weights[i] = w[start[i] + c];
      }
      BigDecimal loss = exactSum(values);
      BigInteger[] q = HighPrecision.rational(loss);
      LossAccumulator a = runs.classState(c);
      assertEquals(rows, a.elements());
      assertEquals(Double.doubleToLongBits(round(loss)), Double.doubleToLongBits(
          a.result(Reduction.SUM)), "class " + c + " sum");
      assertEquals(Double.doubleToLongBits(round(q[0], q[1].multiply(BigInteger.valueOf(rows)))),
          Double.doubleToLongBits(a.result(Reduction.MEAN)), "class " + c + " mean");
      assertEquals(Double.doubleToLongBits(roundQuotient(loss, exactSum(weights))),
          Double.doubleToLongBits(a.result(Reduction.WEIGHTED_MEAN)), "class " + c + " wmean");
    }
  }

  @Test
  void infinitiesAndNaNStayInTheirClass() {
    double[] v = new double[4 * 3];
    Arrays.fill(v, 1.5);
    v[3 + 1] = Double.POSITIVE_INFINITY;
    v[6 + 2] = Double.NaN;
    ClassLossAccumulator a = new ClassLossAccumulator(false);
    a.acceptArrayRows(v, v, v, v, new double[v.length], v, new int[] {0, 3, 6, 9}, new int[] {3, 3, 3, 3}, 0, 4);
    assertEquals(6.0, a.result(Reduction.SUM)[0]);
    assertEquals(Double.POSITIVE_INFINITY, a.result(Reduction.SUM)[1]);
    assertEquals(Double.NaN, a.result(Reduction.SUM)[2]);
  }

  @Test
  void aRowWithAnotherClassCountIsAnError() {
    double[] v = new double[20];
    ClassLossAccumulator a = new ClassLossAccumulator(false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        a.acceptArrayRows(v, v, v, v, new double[v.length], v, new int[] {0, 4, 8}, new int[] {4, 4, 5}, 0, 3));
    assertEquals("number of classes (5) differs from earlier rows (4)", e.getMessage());
  }
}
