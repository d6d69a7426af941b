package io.sparkbce.loss;

import java.util.Arrays;

/** What an element becomes: a loss, its gradient, or the target itself. */
public enum ElementQuantity {
  WITH_LOGITS("bce_with_logits") {
    @Override
    public double apply(double x, double y, double w, double p) {
      return LossKernel.withLogits(x, y, w, p);
    }

    @Override
    void exact(double x, double y, double w, double p, Rests rests, DoubleDouble out) {
      LossKernel.withLogits(x, y, w, p, rests, out);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, double[] low,
        Rests rests, int n) {
      LossKernel.withLogits(x, y, w, p, out, low, rests, n);
    }
  },
  WITH_LOGITS_GRAD("bce_with_logits_grad") {
    @Override
    public double apply(double x, double y, double w, double p) {
      return LossKernel.withLogitsGrad(x, y, w, p);
    }

    @Override
    void exact(double x, double y, double w, double p, Rests rests, DoubleDouble out) {
      LossKernel.withLogitsGrad(x, y, w, p, out);
    }

    /** The rests are within 2^-94 of the terms' magnitude (no aggregate sums gradients). */
    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, double[] low,
        Rests rests, int n) {
      LossKernel.withLogitsGrad(x, y, w, p, out, rests == null ? null : low, n);
    }
  },
  /** BCELoss on probabilities; it has no pos_weight, so {@code p} is ignored. */
  PROBABILITIES("bce") {
    @Override
    public double apply(double q, double y, double w, double p) {
      return LossKernel.probabilities(q, y, w);
    }

    @Override
    void exact(double q, double y, double w, double p, Rests rests, DoubleDouble out) {
      LossKernel.probabilities(q, y, w, rests, out);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, double[] low,
        Rests rests, int n) {
      LossKernel.probabilities(x, y, w, out, low, rests, n);
    }
  },
  /**
   * The target itself: what per-class label counts are made of. A target outside [0, 1]
   * is an error, as in BCELoss: it would count as a negative number of positives or negatives and
   * give a meaningless pos_weight (labels 2 and -1 gave [0.0, Infinity]).
   */
  TARGET("bce_pos_weight") {
    @Override
    public double apply(double x, double y, double w, double p) {
      checkTarget(y);
      return y;
    }

    @Override
    void exact(double x, double y, double w, double p, Rests rests, DoubleDouble out) {
      checkTarget(y);
      out.set(y, 0.0);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, double[] low,
        Rests rests, int n) {
      for (int i = 0; i < n; i++) {
        checkTarget(y[i]);
      }
      System.arraycopy(y, 0, out, 0, n);
      if (rests != null) {
        Arrays.fill(low, 0, n, 0.0);
      }
    }
  };

  private static void checkTarget(double y) {
    if (y < 0.0 || y > 1.0) { // NaN propagates (SPEC §2), as in the other functions
      throw new ProbabilityRangeException("target", y);
    }
  }

  private final String sqlName;

  ElementQuantity(String sqlName) {
    this.sqlName = sqlName;
  }

  /** The SQL function that computes this quantity elementwise. */
  public String sqlName() {
    return sqlName;
  }

  /** The element's value, correctly rounded (SPEC §1). */
  public abstract double apply(double x, double y, double w, double p);

  /** The value as out.hi + out.lo within {@code rests}' bound of the true value. */
  abstract void exact(double x, double y, double w, double p, Rests rests, DoubleDouble out);

  /**
   * What an aggregate consumes: {@code valueAndLow[0] + valueAndLow[1]} within {@code rests}'
   * bound of the true value, so that a {@link TrueSum} of them decides the sum of the true values.
   */
  public final void apply(
      double x, double y, double w, double p, Rests rests, double[] valueAndLow) {
    DoubleDouble v = new DoubleDouble();
    exact(x, y, w, p, rests, v);
    valueAndLow[0] = v.hi;
    valueAndLow[1] = v.lo;
  }

  /** One block of {@code n} elements; {@code w} and {@code p} are already expanded per element. */
  public final void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
    apply(x, y, w, p, out, null, null, n);
  }

  /**
   * One block; with {@code low} (not null) what an aggregate consumes, at {@link Rests#TABLE}
   * (see {@link #apply(double, double, double, double, Rests, double[])}); without, correctly
   * rounded values.
   */
  public final void apply(
      double[] x, double[] y, double[] w, double[] p, double[] out, double[] low, int n) {
    apply(x, y, w, p, out, low, low == null ? null : Rests.TABLE, n);
  }

  /** One block with the given rests (null: only correctly rounded values, low unused). */
  public abstract void apply(double[] x, double[] y, double[] w, double[] p, double[] out,
      double[] low, Rests rests, int n);

  public boolean takesPosWeight() {
    return this == WITH_LOGITS || this == WITH_LOGITS_GRAD;
  }
}
