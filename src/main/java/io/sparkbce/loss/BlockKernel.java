package io.sparkbce.loss;

/**
 * The loss (and the quality state's sigmoids) of a contiguous block of elements: the seam where a
 * vectorised implementation replaces the scalar loop. {@link #selected()} picks one once per JVM.
 */
public interface BlockKernel {
  /**
   * {@code -Dio.sparkbce.kernel=scalar} forces the scalar loop even where vectors are available
   * (not "sparkbce.*": Spark rejects executor options that start with -Dspark).
   */
  String PROPERTY = "io.sparkbce.kernel";

  /**
   * Without {@code rests} (null; {@code low} is then unused, may be null) the correctly rounded
   * losses of a block in {@code out}. With them, {@code out[i] + low[i]} within their bound of
   * each true loss: what exact reductions ({@link TrueSum}) add; out[i] alone is then not
   * necessarily correctly rounded.
   */
  void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, double[] low,
      Rests rests, int n);

  default void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    withLogits(x, y, w, p, out, null, null, n);
  }

  /** BCELoss on probabilities; throws at the first q or y outside [0, 1], as the scalar code. */
  void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n);

  default void probabilities(double[] q, double[] y, double[] w, double[] out, int n) {
    probabilities(q, y, w, out, null, null, n);
  }

  /**
   * out[i] = sigmoid(x[from + i]) for i < n, as {@link LossKernel#reproducibleSigmoid}: the same
   * bits from every kernel.
   */
  void sigmoids(double[] x, int from, double[] out, int n);

  /**
   * The number of targets y[from + i] (i < n) equal to 1 when every element there has weight 1,
   * pos_weight 1 and a target of 0 (or -0) or 1, the common case of unweighted hard labels, whose
   * sums are counts; -1 otherwise (a NaN included).
   */
  long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n);

  String name();

  static BlockKernel selected() {
    return BlockKernels.SELECTED;
  }

  static BlockKernel scalar() {
    return BlockKernels.SCALAR;
  }

  /** The Vector API kernel, or null when this JVM runs without {@code jdk.incubator.vector}. */
  static BlockKernel vector() {
    return BlockKernels.VECTOR;
  }

  /** {@link LossRounding#FAST}'s scalar loop, whatever this JVM selected. */
  static BlockKernel fastScalar() {
    return BlockKernels.FAST_SCALAR;
  }

  /** {@link LossRounding#FAST}'s Vector API kernel, or null as {@link #vector()}. */
  static BlockKernel fastVector() {
    return BlockKernels.FAST_VECTOR;
  }
}
