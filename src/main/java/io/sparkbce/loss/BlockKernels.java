package io.sparkbce.loss;

/** Chooses the block kernel at class initialisation, from what the running JVM offers. */
final class BlockKernels {
  static final BlockKernel SCALAR = new ScalarBlockKernel();

  /** {@link LossRounding#FAST}'s scalar loop; sigmoids and unit rows as {@link #SCALAR}. */
  static final BlockKernel FAST_SCALAR = new BlockKernel() {
    @Override
    public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
        double[] low, Rests rests, int n) {
      for (int i = 0; i < n; i++) {
        out[i] = FastLosses.withLogits(x[i], y[i], w[i], p[i]);
      }
      if (rests != null) {
        java.util.Arrays.fill(low, 0, n, 0.0); // no rests: the elements are taken as they are
      }
    }

    @Override
    public void probabilities(
        double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
      for (int i = 0; i < n; i++) {
        LossKernel.checkProbabilities(q[i], y[i]);
        out[i] = FastLosses.probabilities(q[i], y[i], w[i]);
      }
      if (rests != null) {
        java.util.Arrays.fill(low, 0, n, 0.0);
      }
    }

    @Override
    public void sigmoids(double[] x, int from, double[] out, int n) {
      SCALAR.sigmoids(x, from, out, n);
    }

    @Override
    public long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
      return SCALAR.unitLabelOnes(y, w, p, from, n);
    }

    @Override
    public String name() {
      return "fast scalar";
    }
  };

  static final BlockKernel VECTOR = loadVector("io.sparkbce.loss.VectorBlockKernel");
  static final BlockKernel FAST_VECTOR = loadVector("io.sparkbce.loss.FastVectorKernel");
  private static final boolean SCALAR_ONLY =
      VECTOR == null || "scalar".equalsIgnoreCase(System.getProperty(BlockKernel.PROPERTY));
  static final BlockKernel SELECTED = LossRounding.FAST_SELECTED
      ? (SCALAR_ONLY ? FAST_SCALAR : FAST_VECTOR)
      : (SCALAR_ONLY ? SCALAR : VECTOR);

  private BlockKernels() {}

  /**
   * Whether every q[i] and y[i] (i < n) is in [0, 1] (NaN is not): the vector kernels' condition
   * for their lanes; otherwise the scalar loop throws at the first one, as the row path would.
   */
  static boolean probabilitiesInRange(double[] q, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      if (!(q[i] >= 0.0 && q[i] <= 1.0 && y[i] >= 0.0 && y[i] <= 1.0)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The vector kernels' classes link against jdk.incubator.vector, so it is only loaded when that
   * module is in the boot layer (--add-modules jdk.incubator.vector); otherwise loading it would
   * fail with NoClassDefFoundError.
   */
  private static BlockKernel loadVector(String className) {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (BlockKernel) Class.forName(className)
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
