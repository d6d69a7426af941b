package io.sparkbce.loss;

/**
 * Receives the valid elements of a row, one by one, in class (innermost index) order. An element
 * is its correctly rounded value and the rest of its true value ({@code low}), so that exact
 * reductions sum the true values, not their roundings.
 */
public interface ElementConsumer {
  /** Called before each innermost vector of a row; its size is the number of classes. */
  default void beginBlock(int classCount) {}

  void accept(int classIndex, double value, double low, double weight);

  /** An element whose value is exact (a target, a count): nothing beyond {@code value}. */
  default void accept(int classIndex, double value, double weight) {
    accept(classIndex, value, 0.0, weight);
  }

  /**
   * A whole innermost vector at once: element k of class k is {@code values[offset + k]} (plus
   * {@code lows[offset + k]}) with weight {@code weights[offset + k]}, for k below
   * {@code classCount} (after {@link #beginBlock}). The same as accepting them one by one; states
   * override it to skip a call per element.
   */
  default void acceptAll(
      double[] values, double[] lows, double[] weights, int offset, int classCount) {
    for (int k = 0; k < classCount; k++) {
      accept(k, values[offset + k], lows[offset + k], weights[offset + k]);
    }
  }
}
