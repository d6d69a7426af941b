package io.sparkbce.loss;

/**
 * Receives the valid elements of a row, one by one, in class (innermost index) order. An element
 * is {@code value + low}, within the bound of the {@link Rests} it was computed with of its true
 * value, so that reductions ({@link TrueSum}) decide the rounding of the true values' sum.
 */
public interface ElementConsumer {
  /** Called before each innermost vector of a row; its size is the number of classes. */
  default void beginBlock(int classCount) {}

  /**
   * The rests this state's elements will be computed with (before the first element; the
   * default, {@link Rests#TABLE}, holds otherwise). States with {@link TrueSum}s record it.
   */
  default void rests(Rests rests) {}

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

  /**
   * {@link #accept} with the element's inputs: {@code x} its input (a logit, or a probability for
   * BCELoss), {@code y} its target, {@code p} its pos_weight. The walkers call this one; states
   * that need only the value keep the default.
   */
  default void acceptElement(int classIndex, double x, double y, double p, double value,
      double low, double weight) {
    accept(classIndex, value, low, weight);
  }

  /** {@link #acceptAll} with the elements' inputs, laid out as {@code values}. */
  default void acceptAllElements(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int classCount) {
    acceptAll(values, lows, weights, offset, classCount);
  }
}
