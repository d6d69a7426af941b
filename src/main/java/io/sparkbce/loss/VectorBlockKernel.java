package io.sparkbce.loss;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel. Placeholder while the correctly rounded fast path is vectorised: it
 * runs the scalar code, so its bits are the scalar kernel's by construction.
 */
final class VectorBlockKernel implements BlockKernel {
  private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

  @Override
  public void withLogits(
      double[] x, double[] y, double[] w, double[] p, double[] out, double[] low, int n) {
    BlockKernels.SCALAR.withLogits(x, y, w, p, out, low, n);
  }

  @Override
  public void probabilities(double[] q, double[] y, double[] w, double[] out, double[] low, int n) {
    BlockKernels.SCALAR.probabilities(q, y, w, out, low, n);
  }

  @Override
  public String name() {
    return "vector(" + SPECIES.length() + " lanes)";
  }
}
