package io.sparkbce.kernel;

import io.sparkbce.loss.BlockKernel;
import io.sparkbce.loss.Rests;
import java.util.Random;

/**
 * Prints a hash of the bits of two blocks (losses, and losses with their rests; one block of
 * unit weights and hard labels, which the vector kernel combines in a pass of its own) through
 * the vector and the scalar kernel; run in a child
 * JVM with and without -Xint by {@link BlockKernelGoldenTest}: no JIT, C2, or the Vector API's
 * Java fallback may change a bit.
 */
public final class InterpretedKernels {
  private InterpretedKernels() {}

  static double[][] block(int n, boolean unit) {
    Random r = new Random(11);
    double[][] c = new double[4][n];
    for (int i = 0; i < n; i++) {
      c[0][i] = r.nextGaussian() * (i % 9 == 0 ? 300 : 6);
      c[1][i] = i % 5 == 0 && !unit ? r.nextDouble() : r.nextInt(2);
      c[2][i] = unit ? 1.0 : 0.25 + r.nextDouble();
      c[3][i] = unit ? 1.0 : 1 + r.nextInt(4);
    }
    if (unit) { // the unit-row pass (weights and pos_weights 1, hard labels), its edge cases too
      c[1][3] = -0.0;
      c[0][4] = -0.0;
      c[0][5] = 1e-300;
      c[0][6] = 700.0;
      c[0][7] = Double.NaN;
    }
    return c;
  }

  /**
   * The rounded losses, then the hi and lo the aggregates take (tier 1's rests): a reduction's
   * bits depend on both, so the kernels must agree on the rests too.
   */
  static long hash(BlockKernel k, int n) {
    return (31 * hash(k, n, false) + hash(k, n, true)) * 31 + probabilitiesHash(k, n);
  }

  /** BCELoss on probabilities (q from the logits of {@link #block}), with and without rests. */
  private static long probabilitiesHash(BlockKernel k, int n) {
    double[][] c = block(n, false);
    double[] q = new double[n];
    for (int i = 0; i < n; i++) {
      q[i] = i % 7 == 0 ? Math.pow(2, -1070 * c[2][i]) : 1 / (1 + Math.exp(-c[0][i]));
    }
    double[] out = new double[n];
    double[] low = new double[n];
    k.probabilities(q, c[1], c[2], out, n);
    long h = hash(23, out);
    k.probabilities(q, c[1], c[2], out, low, Rests.TABLE, n);
    return hash(hash(h, out), low);
  }

  private static long hash(BlockKernel k, int n, boolean unit) {
    double[][] c = block(n, unit);
    double[] out = new double[n];
    double[] low = new double[n];
    k.withLogits(c[0], c[1], c[2], c[3], out, n);
    long h = hash(17, out);
    k.withLogits(c[0], c[1], c[2], c[3], out, low, Rests.TABLE, n);
    return hash(hash(h, out), low);
  }

  private static long hash(long h, double[] values) {
    for (double v : values) {
      h = h * 31 + Double.doubleToRawLongBits(v);
    }
    return h;
  }

  public static void main(String[] args) {
    System.out.println("vector " + hash(BlockKernel.vector(), 997) + " scalar "
        + hash(BlockKernel.scalar(), 997));
  }
}
