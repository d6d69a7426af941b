package io.sparkbce.loss;

/**
 * The block kernel without the Vector API: {@link LossKernel}'s elementwise results, the same bits.
 *
 * <p>With logits, tier 1 of correct rounding runs in passes over the block, as in
 * {@link VectorBlockKernel}: e^-|x| for every element, then its log1p, then the combine and the
 * rounding test ({@link CorrectlyRounded#withLogitsTable}). Each pass is a short loop whose
 * iterations the CPU overlaps; one loop doing all three per element is one long chain of
 * dependent operations, and ran at 35 ns per element instead of about 20 (JMH, README). An
 * element the tier does not deliver takes {@link LossKernel#withLogits}, which gives the same
 * value for the others: the tier is a pure function of the element.
 */
final class ScalarBlockKernel implements BlockKernel {
  /** Per thread: the block's e^-|x|, then its log1p, as hi and lo. */
  private static final ThreadLocal<double[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new double[2][0]);

  private static double[][] scratch(int n) {
    double[][] s = SCRATCH.get();
    if (s[0].length < n) {
      int size = Math.max(n, 2 * s[0].length);
      s[0] = new double[size];
      s[1] = new double[size];
    }
    return s;
  }

  @Override
  public void withLogits(double[] x, double[] y, double[] w, double[] p, double[] out,
      double[] low, Rests rests, int n) {
    DoubleDouble v = new DoubleDouble();
    if (LossRounding.FAST_SELECTED || (rests != null && rests.tableRatio == 0.0)) {
      for (int i = 0; i < n; i++) {
        deliver(x[i], y[i], w[i], p[i], rests, v, out, low, i);
      }
      return;
    }
    double[][] s = scratch(n);
    double[] hi = s[0];
    double[] lo = s[1];
    for (int i = 0; i < n; i++) {
      double a = Math.abs(x[i]);
      TableSoftplus.expMinus(a <= TableSoftplus.LARGEST ? a : 0.0, v); // others: pass 3 skips
      hi[i] = v.hi;
      lo[i] = v.lo;
    }
    for (int i = 0; i < n; i++) {
      TableSoftplus.log1p(hi[i], lo[i], v);
      hi[i] = v.hi;
      lo[i] = v.lo;
    }
    for (int i = 0; i < n; i++) {
      double xi = x[i];
      double yi = y[i];
      double wi = w[i];
      double pi = yi == 0.0 ? 0.0 : p[i];
      // LossKernel's special cases (NaN, infinities, w = 0) are not the tier's: they fail here.
      // A NaN p gives NaN even where y = 0 (pi is then 0): tested on p itself.
      boolean tier = Math.abs(xi) <= TableSoftplus.LARGEST && Math.abs(yi) <= Double.MAX_VALUE
          && Math.abs(wi) <= Double.MAX_VALUE && p[i] == p[i] && Math.abs(pi) <= Double.MAX_VALUE
          && CorrectlyRounded.withLogitsTable(xi, yi, wi, pi, hi[i], lo[i], rests, v);
      if (tier) {
        out[i] = v.hi;
        if (rests != null) {
          low[i] = v.lo;
        }
      } else {
        deliver(xi, yi, wi, p[i], rests, v, out, low, i);
      }
    }
  }

  /** out[i] (and low[i] with rests) from {@link LossKernel#withLogits}, element by element. */
  static void deliver(double x, double y, double w, double p, Rests rests,
      DoubleDouble v, double[] out, double[] low, int i) {
    LossKernel.withLogits(x, y, w, p, rests, v);
    out[i] = v.hi;
    if (rests != null) {
      low[i] = v.lo;
    }
  }

  @Override
  public void probabilities(
      double[] q, double[] y, double[] w, double[] out, double[] low, Rests rests, int n) {
    DoubleDouble v = new DoubleDouble();
    for (int i = 0; i < n; i++) {
      deliverProbability(q[i], y[i], w[i], rests, v, out, low, i);
    }
  }

  /** out[i] (and low[i] with rests) from {@link LossKernel#probabilities}. */
  static void deliverProbability(double q, double y, double w, Rests rests, DoubleDouble v,
      double[] out, double[] low, int i) {
    LossKernel.probabilities(q, y, w, rests, v);
    out[i] = v.hi;
    if (rests != null) {
      low[i] = v.lo;
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
}
