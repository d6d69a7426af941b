package io.sparkbce.loss;

/**
 * The elementwise losses of {@link LossRounding#FAST}: the previous round's formulas, within a few
 * ulp of the true value, with every special value (NaN, infinities, zero coefficients, the clamp)
 * as {@link LossKernel}'s correctly rounded path gives it. Their IEEE operations are the ones
 * {@link FastVectorKernel} repeats lane by lane, so both kernels give the same bits.
 */
final class FastLosses {
  private FastLosses() {}

  /** w (p y softplus(-x) + (1 - y) softplus(x)), softplus's shared tail computed once. */
  static double withLogits(double x, double y, double w, double p) {
    if (x != x || y != y || w != w || p != p) {
      return Double.NaN;
    }
    if (w == 0.0) {
      return 0.0;
    }
    double tail = SoftplusTail.of(Math.abs(x));
    double pos = LossKernel.positive(y, p);
    double neg = 1.0 - y;
    double up = pos == 0.0 ? 0.0 : pos * (Math.max(-x, 0.0) + tail);
    double down = neg == 0.0 ? 0.0 : neg * (Math.max(x, 0.0) + tail);
    return w * (up + down);
  }

  /** (1 - y) sigmoid(x) - p y sigmoid(-x), times w, with the reproducible sigmoid. */
  static double withLogitsGrad(double x, double y, double w, double p) {
    if (x != x || y != y || w != w || p != p) {
      return Double.NaN;
    }
    if (w == 0.0) {
      return 0.0;
    }
    double pos = LossKernel.positive(y, p);
    double neg = 1.0 - y;
    double up = neg == 0.0 ? 0.0 : neg * LossKernel.reproducibleSigmoid(x);
    double down = pos == 0.0 ? 0.0 : pos * LossKernel.reproducibleSigmoid(-x);
    return w * (up - down);
  }

  /** BCELoss with {@link Logarithm}'s clamped logs; q and y already checked. */
  static double probabilities(double q, double y, double w) {
    if (w != w) {
      return Double.NaN;
    }
    return probabilities(q, y, w, Logarithm.clamped(q), Logarithm.clampedLog1pMinus(q));
  }

  static double probabilities(double q, double y, double w, double logQ, double log1mQ) {
    return -w * (y * logQ + (1.0 - y) * log1mQ);
  }
}
