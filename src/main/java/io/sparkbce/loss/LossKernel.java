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

  /** log(1 + e^z), correctly rounded: the loss at logit -z, target 1. */
  public static double softplus(double z) {
    return withLogits(-z, 1.0, 1.0, 1.0);
  }

  /** The logistic function, correctly rounded: the gradient at target 0. */
  public static double sigmoid(double x) {
    return withLogitsGrad(x, 0.0, 1.0, 1.0);
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
   * {@code w * (p*y*softplus(-x) + (1-y)*softplus(x))} correctly rounded ({@link
   * CorrectlyRounded}): both terms are non-negative for y in [0, 1] and p, w >= 0, so nothing
   * cancels. A term whose coefficient is zero contributes exactly zero even when its softplus is
   * infinite, which gives infinite logits their mathematical limit instead of PyTorch's NaN.
   */
  public static double withLogits(double x, double y, double w, double p) {
    DoubleDouble v = new DoubleDouble();
    withLogits(x, y, w, p, null, v);
    return v.hi;
  }

  /**
   * Without {@code rests} (null), {@link #withLogits(double, double, double, double)} in out.hi;
   * with them, out.hi + out.lo within their bound of the true value (what {@link TrueSum} adds;
   * out.hi is then not necessarily the correctly rounded value). Special values are exact.
   */
  static void withLogits(
      double x, double y, double w, double p, Rests rests, DoubleDouble out) {
    if (LossRounding.FAST_SELECTED) {
      out.set(FastLosses.withLogits(x, y, w, p), 0.0);
    } else if (x != x || y != y || w != w || p != p) {
      out.set(Double.NaN, 0.0);
    } else if (w == 0.0) {
      out.set(0.0, 0.0);
    } else if (Double.isInfinite(w)) {
      out.set(w * withLogits(x, y, 1.0, p), 0.0); // an infinity with the loss's sign, or NaN
    } else if (Double.isInfinite(x) || Double.isInfinite(y) || (Double.isInfinite(p) && y != 0.0)) {
      out.set(limit(x, y, w, p), 0.0);
    } else {
      CorrectlyRounded.withLogits(x, y, w, y == 0.0 ? 0.0 : p, rests, out);
    }
  }

  /**
   * The loss when x, y or a used p is infinite (w finite): 0, an infinity or NaN, whatever the
   * finite softplus values are, as long as they are positive; so a stand-in replaces them. At
   * x = +-inf the softplus of the other side is exactly 0.
   */
  private static double limit(double x, double y, double w, double p) {
    double tail = Double.isInfinite(x) ? 0.0 : Double.MIN_VALUE;
    double pos = positive(y, p);
    double neg = 1.0 - y;
    double up = pos == 0.0 ? 0.0 : pos * (Math.max(-x, 0.0) + tail);
    double down = neg == 0.0 ? 0.0 : neg * (Math.max(x, 0.0) + tail);
    return w * (up + down);
  }

  /**
   * d loss / d x = {@code (1-y)*sigmoid(x) - p*y*sigmoid(-x)}, which equals SPEC §1's
   * {@code (p*y + 1 - y)*sigmoid(x) - p*y}, correctly rounded.
   */
  public static double withLogitsGrad(double x, double y, double w, double p) {
    DoubleDouble v = new DoubleDouble();
    withLogitsGrad(x, y, w, p, v);
    return v.hi;
  }

  static void withLogitsGrad(double x, double y, double w, double p, DoubleDouble out) {
    if (LossRounding.FAST_SELECTED) {
      out.set(FastLosses.withLogitsGrad(x, y, w, p), 0.0);
    } else if (x != x || y != y || w != w || p != p) {
      out.set(Double.NaN, 0.0);
    } else if (w == 0.0) {
      out.set(0.0, 0.0);
    } else if (Double.isInfinite(w)) {
      out.set(w * withLogitsGrad(x, y, 1.0, p), 0.0); // an infinity with the gradient's sign
    } else if (Double.isInfinite(y) || (Double.isInfinite(p) && y != 0.0)) {
      // An infinite coefficient: an infinity or NaN; the finite sigmoids only give signs.
      double pos = positive(y, p);
      double neg = 1.0 - y;
      double up = neg == 0.0 ? 0.0 : neg * sigmoid(x);
      double down = pos == 0.0 ? 0.0 : pos * sigmoid(-x);
      out.set(w * (up - down), 0.0);
    } else if (Double.isInfinite(x)) {
      // sigmoid(+-inf) is exactly 1 or 0: w (1 - y) or -w p y, rounded once.
      ArbitraryPrecision.withLogitsGradAtInfinity(x, y, w, p, out);
    } else {
      CorrectlyRounded.withLogitsGrad(x, y, w, y == 0.0 ? 0.0 : p, out);
    }
  }

  /**
   * w sigmoid(x) as hi + lo within {@code rests}' bound (what {@link QualityAccumulator} sums for
   * the mean prediction): tier 1 at {@link Rests#TABLE}, else the gradient at target 0.
   */
  static void weightedSigmoid(double x, double w, Rests rests, DoubleDouble out) {
    if (rests != Rests.TABLE || !CorrectlyRounded.weightedSigmoidTable(x, w, out)) {
      withLogitsGrad(x, 0.0, w, 1.0, out);
    }
  }

  /**
   * BCELoss on a probability q, with PyTorch's clamp of each log at -100 so that q = 0 or 1 give a
   * finite loss, correctly rounded. q and y outside [0, 1] (NaN included) are rejected, as current
   * PyTorch does.
   */
  public static double probabilities(double q, double y, double w) {
    DoubleDouble v = new DoubleDouble();
    probabilities(q, y, w, null, v);
    return v.hi;
  }

  /** As {@link #withLogits(double, double, double, double, Rests, DoubleDouble)}. */
  static void probabilities(double q, double y, double w, Rests rests, DoubleDouble out) {
    checkProbabilities(q, y);
    if (LossRounding.FAST_SELECTED) {
      out.set(FastLosses.probabilities(q, y, w), 0.0);
    } else if (w != w) {
      out.set(Double.NaN, 0.0);
    } else if (Double.isInfinite(w)) {
      out.set(w * probabilities(q, y, 1.0), 0.0); // every log is finite (clamped)
    } else {
      CorrectlyRounded.probabilities(q, y, w, rests, out);
    }
  }

  static void checkProbabilities(double q, double y) {
    if (!(q >= 0.0 && q <= 1.0)) {
      throw new ProbabilityRangeException("input", q);
    }
    if (!(y >= 0.0 && y <= 1.0)) {
      throw new ProbabilityRangeException("target", y);
    }
  }

  /**
   * Loss of {@code n} elements at once; {@code w} and {@code p} are already expanded per element.
   * Runs the {@link BlockKernel#selected() selected} kernel: vectorised where the JVM allows.
   */
  public static void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    BlockKernels.SELECTED.withLogits(x, y, w, p, out, null, null, n);
  }

  /**
   * As above; with {@code rests}, {@code out + low} within their bound of each true value (see
   * {@link #withLogits(double, double, double, double, Rests, DoubleDouble)}).
   */
  public static void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
      double[] low, Rests rests, int n) {
    BlockKernels.SELECTED.withLogits(x, y, w, p, out, low, rests, n);
  }

  public static void withLogitsGrad(
      double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    withLogitsGrad(x, y, w, p, out, null, n);
  }

  /** Gradients of a block, and the rest of each true value in {@code low} (may be null). */
  public static void withLogitsGrad(
      double[] x, double[] y, double[] w, double[] p, double[] out, double[] low, int n) {
    DoubleDouble v = new DoubleDouble();
    for (int i = 0; i < n; i++) {
      withLogitsGrad(x[i], y[i], w[i], p[i], v);
      out[i] = v.hi;
      if (low != null) {
        low[i] = v.lo;
      }
    }
  }

  /** {@link #probabilities(double, double, double)} of a block, on the selected kernel. */
  public static void probabilities(double[] q, double[] y, double[] w, double[] out, int n) {
    BlockKernels.SELECTED.probabilities(q, y, w, out, null, null, n);
  }

  /** As above, with rests as {@link #withLogits(double[], double[], double[], double[],
   *  double[], double[], Rests, int)}. */
  public static void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
    BlockKernels.SELECTED.probabilities(q, y, w, out, low, rests, n);
  }

  /** p*y, zero for a negative target even when p is infinite (a class without positives). */
  static double positive(double y, double p) {
    return y == 0.0 ? 0.0 : p * y;
  }

}
