package io.sparkbce.loss;

/** Chooses the block kernel at class initialisation, from what the running JVM offers. */
final class BlockKernels {
  static final BlockKernel SCALAR = new BlockKernel() {
    @Override
    public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
        double[] low, Rests rests, int n) {
      DoubleDouble v = new DoubleDouble();
      for (int i = 0; i < n; i++) {
        LossKernel.withLogits(x[i], y[i], w[i], p[i], rests, v);
        out[i] = v.hi;
        if (rests != null) {
          low[i] = v.lo;
        }
      }
    }

    @Override
    public void probabilities(
        double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
      DoubleDouble v = new DoubleDouble();
      for (int i = 0; i < n; i++) {
        LossKernel.probabilities(q[i], y[i], w[i], rests, v);
        out[i] = v.hi;
        if (rests != null) {
          low[i] = v.lo;
        }
      }
    }

    @Override
    public void sigmoids(double[] x, int from, double[] out, int n) {
      for (int i = 0; i < n; i++) {
        out[i] = LossKernel.reproducibleSigmoid(x[from + i]);
      }
    }

    @Override
    public long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
      return LossKernel.unitLabelOnes(y, w, p, from, n);
    }

    @Override
    public String name() {
      return "scalar";
    }
  };

  static final BlockKernel VECTOR = loadVector();
  static final BlockKernel SELECTED =
      VECTOR == null || "scalar".equalsIgnoreCase(System.getProperty(BlockKernel.PROPERTY))
          ? SCALAR : VECTOR;

  private BlockKernels() {}

  /**
   * The vector kernel's class links against jdk.incubator.vector, so it is only loaded when that
   * module is in the boot layer (--add-modules jdk.incubator.vector); otherwise loading it would
   * fail with NoClassDefFoundError.
   */
  private static BlockKernel loadVector() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (BlockKernel) Class.forName("io.sparkbce.loss.VectorBlockKernel")
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }
}
