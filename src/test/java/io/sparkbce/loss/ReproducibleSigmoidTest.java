package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LossKernel#reproducibleSigmoid}, the quality state's sigmoid: within 2 ulp of a 64-digit
 * {@link BigDecimal} reference, and the vector kernel's lanes give the scalar bits (cold and once
 * C2 has compiled it, at every offset and tail length).
 */
class ReproducibleSigmoidTest {
  private static final double U = SoftplusTail.UNDERFLOW;

  /** Tails, zeros, subnormals, the limits of e^-|x| (UNDERFLOW, exp's overflow near 709.78). */
  private static final double[] AWKWARD = {0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE,
      Double.MIN_NORMAL, -Double.MIN_NORMAL, 0x1p-1060, -0x1p-1060, 1e-300, -1e-300, 1e-17, -1e-17,
      0x1p-54, -0x1p-54, 1e-8, -1e-8, 0.5, -0.5, 0.34657359027997264, -0.34657359027997264, 1, -1,
      2.5, -2.5, 10, -10, 18.7, -18.7, 36.04, -36.04, 36.7, -36.7, 37.5, -37.5, 40, -40, 100, -100,
      700, -700, 708.39, -708.39, 709, -709, 709.78, -709.78, 709.79, -709.79, 710, -710, 720, -720,
      744, -744, 745, -745, 745.13, -745.13, 745.14, -745.14, U, -U, Math.nextDown(U),
      -Math.nextDown(U), Math.nextUp(U), -Math.nextUp(U), 800, -800, 1e5, -1e5, 1e300, -1e300,
      Double.MAX_VALUE, -Double.MAX_VALUE};

  private static void assertBits(double expected, double actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  /** The awkward values, random ones at every scale, near the limits, and random bit patterns. */
  private static double[] values(SplittableRandom r, int random) {
    List<Double> v = new ArrayList<>();
    for (double x : AWKWARD) {
      v.add(x);
    }
    v.add(Double.POSITIVE_INFINITY);
    v.add(Double.NEGATIVE_INFINITY);
    v.add(Double.NaN);
    v.add(Double.longBitsToDouble(0xfff8_0000_0000_0001L)); // a negative NaN with a payload
    for (double limit : new double[] {U, 709.782712893384, 708.3964185322641}) {
      double x = limit;
      for (int k = 0; k < 20; k++) {
        v.add(x);
        v.add(-x);
        x = Math.nextDown(x);
      }
    }
    for (int i = 0; i < random; i++) {
      switch (i % 5) {
        case 0:
          v.add(r.nextDouble(-40, 40));
          break;
        case 1:
          v.add(r.nextDouble(-760, 760));
          break;
        case 2:
          v.add(r.nextDouble(-1, 1) * Math.scalb(1.0, -r.nextInt(1080)));
          break;
        case 3:
          v.add(Double.longBitsToDouble(r.nextLong()));
          break;
        default:
          v.add(r.nextDouble(-2, 2));
      }
    }
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** |got - sigmoid(x)| <= 2 ulp of the correctly rounded sigmoid(x) (of a subnormal: 2^-1074). */
  private static void assertWithinTwoUlp(double x, double got) {
    String what = "sigmoid(" + x + ")";
    if (Double.isNaN(x)) {
      assertBits(Double.NaN, Double.isNaN(got) ? Double.NaN : got, what);
      return;
    }
    if (Double.isInfinite(x)) {
      assertBits(x > 0 ? 1.0 : 0.0, got, what);
      return;
    }
    BigDecimal ref = HighPrecision.sigmoid(x);
    double nearest = ref.doubleValue();
    BigDecimal error = new BigDecimal(got).subtract(ref).abs();
    BigDecimal bound = new BigDecimal(Math.ulp(nearest)).multiply(BigDecimal.valueOf(2));
    if (error.compareTo(bound) > 0) {
      fail(what + " = " + got + ", correctly rounded " + nearest + ": error "
          + error.divide(new BigDecimal(Math.ulp(nearest)), HighPrecision.MC).doubleValue()
          + " ulp");
    }
  }

  @Test
  void scalarSigmoidIsWithinTwoUlp() {
    for (double x : values(new SplittableRandom(60), 20_000)) {
      assertWithinTwoUlp(x, LossKernel.reproducibleSigmoid(x));
    }
  }

  @Test
  void limitsAndSymmetry() {
    assertBits(0.5, LossKernel.reproducibleSigmoid(0.0), "sigmoid(0)");
    assertBits(0.5, LossKernel.reproducibleSigmoid(-0.0), "sigmoid(-0)");
    assertBits(1.0, LossKernel.reproducibleSigmoid(Double.POSITIVE_INFINITY), "sigmoid(+inf)");
    assertBits(0.0, LossKernel.reproducibleSigmoid(Double.NEGATIVE_INFINITY), "sigmoid(-inf)");
    assertBits(0.0, LossKernel.reproducibleSigmoid(-Math.nextUp(U)), "beyond UNDERFLOW");
    assertBits(1.0, LossKernel.reproducibleSigmoid(40), "1 - e^-40 rounds to 1");
    assertEquals(true, Double.isNaN(LossKernel.reproducibleSigmoid(Double.NaN)), "sigmoid(NaN)");
    // e^-745 is the subnormal 2^-1074 * 4.94..., rounded: sigmoid(-745) is that same e
    assertBits(Double.MIN_VALUE, LossKernel.reproducibleSigmoid(-745), "sigmoid(-745)");
  }

  /** The scalar and vector kernels at every length and offset, element by element. */
  @Test
  void vectorKernelGivesTheScalarBits() {
    BlockKernel vector = BlockKernel.vector();
    assertNotNull(vector, "surefire runs with --add-modules jdk.incubator.vector");
    double[] x = values(new SplittableRandom(61), 5_000);
    for (int from = 0; from < 9; from++) {
      for (int n : new int[] {0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, x.length - from}) {
        compareKernels(vector, x, from, n, "from " + from + " n " + n);
      }
    }
  }

  /** The same blocks many times, so that C2 compiles the vector passes, then compares again. */
  @Test
  void vectorKernelGivesTheScalarBitsOnceCompiled() {
    BlockKernel vector = BlockKernel.vector();
    assertNotNull(vector);
    double[] x = values(new SplittableRandom(62), 2_000);
    double[] expected = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      expected[i] = LossKernel.reproducibleSigmoid(x[i]);
    }
    double[] out = new double[x.length];
    for (int iteration = 0; iteration < 6_000; iteration++) {
      int from = iteration % 3;
      int n = x.length - from - iteration % 11;
      vector.sigmoids(x, from, out, n);
      for (int i = 0; i < n; i++) {
        if (Double.doubleToRawLongBits(expected[from + i])
            != Double.doubleToRawLongBits(out[i])) {
          fail("call " + iteration + ": sigmoid(" + x[from + i] + ") is " + expected[from + i]
              + " alone but " + out[i] + " from the vector kernel");
        }
      }
    }
  }

  /**
   * Sigmoids of runs of a block whose losses the vector kernel has just computed (its e^-|x| are
   * reused, see VectorBlockKernel.ExpMemo): the scalar bits, also for runs of other arrays, of an
   * input changed since the losses, of NaN, and past the block's end.
   */
  @Test
  void sigmoidsAfterTheLossesOfTheirBlockGiveTheScalarBits() {
    BlockKernel vector = BlockKernel.vector();
    assertNotNull(vector);
    SplittableRandom r = new SplittableRandom(63);
    double[] block = values(r, 3_000);
    int n = block.length;
    double[] ones = new double[n];
    java.util.Arrays.fill(ones, 1.0);
    double[] losses = new double[n];
    double[] out = new double[n + 1];
    for (int iteration = 0; iteration < 3_000; iteration++) {
      double[] x = block.clone();
      int size = n - r.nextInt(40);
      vector.withLogits(x, ones, ones, ones, losses, size);
      String change = "none";
      switch (iteration % 4) {
        case 1:
          int at = r.nextInt(size);
          x[at] = r.nextDouble(-5, 5);
          change = "x[" + at + "] changed";
          break;
        case 2:
          x = values(new SplittableRandom(iteration), 3_000); // another array, other values
          change = "another array";
          break;
        default:
      }
      for (int from = 0; from < n; ) {
        int length = Math.min(n - from, 1 + r.nextInt(iteration % 3 == 0 ? 40 : 700));
        vector.sigmoids(x, from, out, length);
        for (int i = 0; i < length; i++) {
          if (Double.doubleToRawLongBits(LossKernel.reproducibleSigmoid(x[from + i]))
              != Double.doubleToRawLongBits(out[i])) {
            fail("call " + iteration + " (" + change + "), run " + from + "+" + length
                + ": sigmoid(" + x[from + i] + ") is " + LossKernel.reproducibleSigmoid(
                    x[from + i]) + " alone but " + out[i] + " after the block's losses");
          }
        }
        from += length;
      }
    }
  }

  private static void compareKernels(BlockKernel vector, double[] x, int from, int n,
      String what) {
    double[] scalar = new double[n + 1];
    double[] lanes = new double[n + 1];
    scalar[n] = 42;
    lanes[n] = 42;
    BlockKernel.scalar().sigmoids(x, from, scalar, n);
    vector.sigmoids(x, from, lanes, n);
    for (int i = 0; i < n; i++) {
      assertBits(LossKernel.reproducibleSigmoid(x[from + i]), scalar[i], what + " scalar #" + i);
      assertBits(scalar[i], lanes[i], what + " vector #" + i + " sigmoid(" + x[from + i] + ")");
    }
    assertBits(42, scalar[n], what + ": the scalar kernel writes only n elements");
    assertBits(42, lanes[n], what + ": the vector kernel writes only n elements");
  }
}
