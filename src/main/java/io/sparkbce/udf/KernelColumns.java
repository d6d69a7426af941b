package io.sparkbce.udf;

/**
 * The primitive columns a block kernel call reads and writes: input, target, weight and
 * pos_weight per element, and the result. Reused from call to call; they only grow.
 */
abstract class KernelColumns {
  double[] x = new double[0];
  double[] y = x;
  double[] w = x;
  double[] p = x;
  double[] out = x;
  /** The rest of each element's true value beyond {@code out} (what exact reductions add). */
  double[] low = x;

  /** Makes room for {@code n} elements (at least doubling, so growth is amortised). */
  final void ensureCapacity(int n) {
    if (x.length < n) {
      int c = Math.max(n, 2 * x.length);
      x = new double[c];
      y = new double[c];
      w = new double[c];
      p = new double[c];
      out = new double[c];
      low = new double[c];
      grown(c);
    }
  }

  /** Grows a subclass's own per-element arrays to {@code capacity}. */
  void grown(int capacity) {}
}
