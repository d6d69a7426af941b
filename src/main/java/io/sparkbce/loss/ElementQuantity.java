package io.sparkbce.loss;

/** What an element becomes: a loss, its gradient, or the target itself. */
public enum ElementQuantity {
  WITH_LOGITS("bce_with_logits") {
    @Override
    public double apply(double x, double y, double w, double p) {
      return LossKernel.withLogits(x, y, w, p);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
      LossKernel.withLogits(x, y, w, p, out, n);
    }
  },
  WITH_LOGITS_GRAD("bce_with_logits_grad") {
    @Override
    public double apply(double x, double y, double w, double p) {
      return LossKernel.withLogitsGrad(x, y, w, p);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
      LossKernel.withLogitsGrad(x, y, w, p, out, n);
    }
  },
  /** BCELoss on probabilities; it has no pos_weight, so {@code p} is ignored. */
  PROBABILITIES("bce") {
    @Override
    public double apply(double q, double y, double w, double p) {
      return LossKernel.probabilities(q, y, w);
    }

    @Override
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
      LossKernel.probabilities(x, y, w, out, n);
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
    public void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n) {
      for (int i = 0; i < n; i++) {
        checkTarget(y[i]);
      }
      System.arraycopy(y, 0, out, 0, n);
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

  public abstract double apply(double x, double y, double w, double p);

  /** One block of {@code n} elements; {@code w} and {@code p} are already expanded per element. */
  public abstract void apply(double[] x, double[] y, double[] w, double[] p, double[] out, int n);

  public boolean takesPosWeight() {
    return this == WITH_LOGITS || this == WITH_LOGITS_GRAD;
  }
}
