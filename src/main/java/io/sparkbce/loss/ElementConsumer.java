package io.sparkbce.loss;

/**
 * Receives the valid elements of a row, one by one, in class (innermost index) order. An element
 * is {@code value + low}, within the bound of the {@link Rests} it was computed with of its true
 * value, so that reductions ({@link TrueSum}) decide the rounding of the true values' sum.
 */
public interface ElementConsumer {
  /**
   * Whether {@link #acceptArrayRows} reads the elements' inputs ({@code x}, {@code y},
   * {@code p}) and not only their values and weights: a state that does not lets the columnar
   * path skip loading them where it can compute the values without them.
   */
  default boolean readsInputs() {
    return true;
  }

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

  /**
   * {@code count} scalar rows at once, row k's one element at {@code offset + k} of each array:
   * the same as {@code beginBlock(1)} and {@link #acceptElement} (class 0) row by row, which is
   * what this default does. The columnar path hands over each run of rows of one state this way;
   * states override it to skip two calls per row.
   */
  default void acceptScalarRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int count) {
    for (int k = offset; k < offset + count; k++) {
      beginBlock(1);
      acceptElement(0, x[k], y[k], p[k], values[k], lows[k], weights[k]);
    }
  }

  /** {@link #acceptAll} with the elements' inputs, laid out as {@code values}. */
  default void acceptAllElements(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int classCount) {
    acceptAll(values, lows, weights, offset, classCount);
  }

  /**
   * Array rows {@code first .. last-1} at once, row i's elements at {@code start[i] ..
   * start[i] + length[i] - 1} of each array: the same as {@code beginBlock(length[i])} and
   * {@link #acceptAllElements} row by row, which is what this default does. The columnar path
   * hands over each run of rows of one state this way; states that do not tell classes apart
   * override it to take contiguous rows as one block.
   */
  default void acceptArrayRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int[] start, int[] length, int first, int last) {
    for (int i = first; i < last; i++) {
      beginBlock(length[i]);
      acceptAllElements(x, y, p, values, lows, weights, start[i], length[i]);
    }
  }
}
