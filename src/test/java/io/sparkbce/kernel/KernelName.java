package io.sparkbce.kernel;

import io.sparkbce.loss.BlockKernel;
import io.sparkbce.loss.LossKernel;

/**
 * Prints the kernel this JVM selected and a hash of {@link LossKernel#withLogits}'s bits over
 * {@link #LOGITS}; run in a child JVM by {@link BlockKernelGoldenTest} and
 * {@link FastRoundingTest}.
 */
public final class KernelName {
  private KernelName() {}

  /** 200 logits in [-10, 10), target 1, unit weights. */
  static final double[] LOGITS = new double[200];

  static {
    for (int i = 0; i < LOGITS.length; i++) {
      LOGITS[i] = -10 + i * 0.1;
    }
  }

  /** The hash of out's raw bits. */
  static long hash(double[] out) {
    long h = 1;
    for (double v : out) {
      h = 31 * h + Double.doubleToRawLongBits(v);
    }
    return h;
  }

  public static void main(String[] args) {
    System.out.println("kernel: " + BlockKernel.selected().name());
    double[] out = new double[LOGITS.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = LossKernel.withLogits(LOGITS[i], 1.0, 1.0, 1.0);
    }
    System.out.println("losses: " + hash(out));
  }
}
