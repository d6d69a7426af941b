package io.sparkbce.loss;

/**
 * The elementwise binary cross-entropy math of SPEC §1, with no engine dependency.
 *
 * <p>Every binding (SQL, Column API, module API, evaluator, jobs) computes its element losses here,
 * one element at a time or one contiguous block at a time. The block methods are the seam where a
 * vectorised kernel replaces the scalar loop without touching the bindings.
 */
public final class LossKernel {
  private LossKernel() {}

  /** log(1 + e^z) without overflow for large z or loss of digits for very negative z. */
  public static double softplus(double z) {
    return Math.max(z, 0.0) + SoftplusTail.of(Math.abs(z));
  }

  /** The logistic function, evaluated on the side where exp cannot overflow. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /**
   * The logistic function from the loss kernel's own e^-|x| ({@link SoftplusTail#expMinus}):
   * {@code (x >= 0 ? 1 : e) / (1 + e)}, e = 0 beyond {@link SoftplusTail#UNDERFLOW} (infinite x
   * included), NaN for NaN. Within 2 ulp of the true value.
   *
   * <p>Why not {@link #sigmoid} (Math.exp): Math.exp's bits are not specified (its intrinsic stubs
   * differ between JVMs and CPUs), so an exact sum of w*sigmoid(x) was reproducible on one platform
   * only. These are IEEE-exact operations, which {@link VectorBlockKernel} repeats lane by lane
   * ({@link BlockKernel#sigmoids}), so the quality state's calibration and mean prediction have
   * the same bits on every JVM, whichever path (row or columnar, scalar or vector) took a row.
   */
  static double reproducibleSigmoid(double x) {
    double a = Math.abs(x);
    double e = a > SoftplusTail.UNDERFLOW ? 0.0 : SoftplusTail.expMinus(a);
    return (x >= 0.0 ? 1.0 : e) / (1.0 + e);
  }

  /**
   * out[i] = {@link #reproducibleSigmoid}(x[from + i]) for i < n, on the selected kernel (same
   * bits on either).
   */
  static void reproducibleSigmoids(double[] x, int from, double[] out, int n) {
    BlockKernels.SELECTED.sigmoids(x, from, out, n);
  }

  private static final long ONE_BITS = Double.doubleToRawLongBits(1.0);

  /** {@link BlockKernel#unitLabelOnes}, one element at a time. */
  static long unitLabelOnes(double[] y, double[] w, double[] p, int from, int n) {
    // On the bits: w == 1.0 iff its bits are 1.0's, y is 0 or -0 iff its bits shifted left are 0.
    // Written with double comparisons this loop cost ~5x more (a microbenchmark of 0/1 labels at
    // random).
    long ones = 0;
    long notUnit = 0;
    for (int i = from; i < from + n; i++) {
      long target = Double.doubleToRawLongBits(y[i]);
      long one = target == ONE_BITS ? 1 : 0;
      ones += one;
      notUnit |= (Double.doubleToRawLongBits(w[i]) ^ ONE_BITS)
          | (Double.doubleToRawLongBits(p[i]) ^ ONE_BITS)
          | ((target << 1) == 0 ? 0 : 1 - one);
    }
    return notUnit == 0 ? ones : -1;
  }

  /** {@link BlockKernel#unitLabelOnes} on the selected kernel. */
  static long unitLabelOnesOf(double[] y, double[] w, double[] p, int from, int n) {
    return BlockKernels.SELECTED.unitLabelOnes(y, w, p, from, n);
  }

  /**
   * {@code w * (p*y*softplus(-x) + (1-y)*softplus(x))}: both terms are non-negative for y in [0, 1]
   * and p, w >= 0, so nothing cancels. A term whose coefficient is zero contributes exactly zero
   * even when its softplus is infinite, which gives infinite logits their mathematical limit
   * instead of PyTorch's NaN.
   */
  public static double withLogits(double x, double y, double w, double p) {
    if (x != x || y != y || w != w || p != p) {
      return Double.NaN;
    }
    if (w == 0.0) {
      return 0.0;
    }
    // softplus(-x) and softplus(x) share log1p(exp(-|x|)), computed once.
    return withLogits(x, y, w, p, SoftplusTail.of(Math.abs(x)));
  }

  /** {@link #withLogits(double, double, double, double)} given {@code tail = log1p(e^-|x|)}. */
  static double withLogits(double x, double y, double w, double p, double tail) {
    if (x != x || y != y || w != w || p != p) {
      return Double.NaN;
    }
    if (w == 0.0) {
      return 0.0;
    }
    double pos = positive(y, p);
    double neg = 1.0 - y;
    double up = pos == 0.0 ? 0.0 : pos * (Math.max(-x, 0.0) + tail);
    double down = neg == 0.0 ? 0.0 : neg * (Math.max(x, 0.0) + tail);
    return w * (up + down);
  }

  /**
   * d loss / d x written as {@code (1-y)*sigmoid(x) - p*y*sigmoid(-x)}, which equals SPEC §1's
   * {@code (p*y + 1 - y)*sigmoid(x) - p*y} but keeps the digits of sigmoid(x) close to 1.
   */
  public static double withLogitsGrad(double x, double y, double w, double p) {
    if (x != x || y != y || w != w || p != p) {
      return Double.NaN;
    }
    if (w == 0.0) {
      return 0.0;
    }
    double pos = positive(y, p);
    double neg = 1.0 - y;
    double up = neg == 0.0 ? 0.0 : neg * sigmoid(x);
    double down = pos == 0.0 ? 0.0 : pos * sigmoid(-x);
    return w * (up - down);
  }

  /**
   * BCELoss on a probability q, with PyTorch's clamp of each log at -100 so that q = 0 or 1 give a
   * finite loss. q and y outside [0, 1] (NaN included) are rejected, as current PyTorch does. The
   * logs are {@link Logarithm}'s, which the vector kernel repeats bit for bit.
   */
  public static double probabilities(double q, double y, double w) {
    checkProbabilities(q, y);
    if (w != w) {
      return Double.NaN;
    }
    return probabilities(q, y, w, Logarithm.clamped(q), Logarithm.clampedLog1pMinus(q));
  }

  static void checkProbabilities(double q, double y) {
    if (!(q >= 0.0 && q <= 1.0)) {
      throw new ProbabilityRangeException("input", q);
    }
    if (!(y >= 0.0 && y <= 1.0)) {
      throw new ProbabilityRangeException("target", y);
    }
  }

  static double probabilities(double q, double y, double w, double logQ, double log1mQ) {
    return -w * (y * logQ + (1.0 - y) * log1mQ);
  }

  /**
   * Loss of {@code n} elements at once; {@code w} and {@code p} are already expanded per element.
   * Runs the {@link BlockKernel#selected() selected} kernel: vectorised where the JVM allows.
   */
  public static void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    BlockKernels.SELECTED.withLogits(x, y, w, p, out, n);
  }

  public static void withLogitsGrad(
      double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = withLogitsGrad(x[i], y[i], w[i], p[i]);
    }
  }

  /** {@link #probabilities(double, double, double)} of a block, on the selected kernel. */
  public static void probabilities(double[] q, double[] y, double[] w, double[] out, int n) {
    BlockKernels.SELECTED.probabilities(q, y, w, out, n);
  }

  /** p*y, zero for a negative target even when p is infinite (a class without positives). */
  static double positive(double y, double p) {
    return y == 0.0 ? 0.0 : p * y;
  }

}
