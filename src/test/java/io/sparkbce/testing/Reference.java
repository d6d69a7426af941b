package io.sparkbce.testing;

/**
 * PyTorch's own formula, {@code (1 - y) * x + (1 + (p - 1) * y) * softplus(-x)}, written
 * independently of the code under test. Accurate to a few ulp for moderate logits (|x| <= 10),
 * which is where tests use it; the tails are covered by the golden vectors.
 */
public final class Reference {
  private Reference() {}

  public static double withLogits(double x, double y, double w, double p) {
    double softplusMinusX = Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0);
    return w * ((1 - y) * x + (1 + (p - 1) * y) * softplusMinusX);
  }

  public static double probabilities(double q, double y, double w) {
    return -w * (y * Math.max(Math.log(q), -100) + (1 - y) * Math.max(Math.log(1 - q), -100));
  }

  public static double grad(double x, double y, double w, double p) {
    double s = 1 / (1 + Math.exp(-x));
    return w * ((p * y + 1 - y) * s - p * y);
  }

  public static boolean near(double a, double b) {
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(b), 1e-300);
  }
}
