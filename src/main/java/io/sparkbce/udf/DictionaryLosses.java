package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.Rests;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An element quantity of every (input, target) pair of two decoded Parquet dictionaries, for one
 * weight and one pos_weight: entries {@code 2k} and {@code 2k + 1}, k = {@code i * targets.length
 * + j}, are the quantity of input {@code inputs[i]} and target {@code targets[j]} as an aggregate
 * consumes it, hi and lo (see {@link ElementQuantity#apply(double, double, double, double,
 * Rests, double[])}). Why: a column chunk of array rows holds
 * millions of elements but its dictionaries some thousand values (logits rounded to a few digits,
 * labels 0 and 1), so the kernel runs once per pair and each element looks its value up
 * ({@link ArrayBlock#computeQuantity}).
 *
 * <p>The same bits as the kernel on the elements: the kernel's result for an element depends only
 * on the element's own inputs, not on its position in a block (the vector kernel repeats the
 * scalar code's operations lane by lane), and the table is computed by that kernel from the very
 * doubles the block would hold. A quantity that throws on some pair (a probability or target
 * outside [0, 1]) gets no table, so the block goes through the kernel, which throws at the
 * block's own first bad element as the row path does.
 *
 * <p>A few tables are kept (a task's calls may want different quantities of the same columns);
 * they live as long as their dictionaries, one column chunk. Not thread-safe: one per task.
 */
final class DictionaryLosses {
  /** Pairs per table at most: 2^17 doubles (1 MiB) stay in a core's L2 cache. */
  static final int MAX_PAIRS = 1 << 17;
  /** Tables computed in this JVM, for tests to see that the path ran. */
  static final AtomicLong BUILT = new AtomicLong();

  private static final int KEPT = 4;
  private final Table[] tables = new Table[KEPT];
  private int next;

  private static final class Table {
    final ElementQuantity quantity;
    final double[] inputs;
    final double[] targets;
    final long weight;
    final long posWeight;
    final Rests rests;
    /** Each pair's hi and lo side by side; null when the quantity threw on some pair. */
    final double[] values;

    Table(ElementQuantity quantity, double[] inputs, double[] targets, long weight,
        long posWeight, Rests rests, double[] values) {
      this.quantity = quantity;
      this.inputs = inputs;
      this.targets = targets;
      this.weight = weight;
      this.posWeight = posWeight;
      this.rests = rests;
      this.values = values;
    }
  }

  /**
   * Whether to look these dictionaries' pairs up for a batch of {@code elements}: at most
   * {@link #MAX_PAIRS}, and no more than the batch's elements unless a table of them is kept
   * already (a column chunk's last, short batch).
   */
  boolean fits(double[] inputs, double[] targets, long elements) {
    long pairs = (long) inputs.length * targets.length;
    if (pairs > MAX_PAIRS) {
      return false;
    }
    if (pairs <= elements) {
      return true;
    }
    for (Table t : tables) {
      if (t != null && t.inputs == inputs && t.targets == targets && t.values != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * The table of {@code quantity} over the pairs of {@code inputs} and {@code targets} with weight
   * {@code w} and pos_weight {@code p}, or null if the quantity throws on one of them.
   */
  double[] of(ElementQuantity quantity, double[] inputs, double[] targets, double w, double p,
      Rests rests) {
    long wBits = Double.doubleToRawLongBits(w);
    long pBits = Double.doubleToRawLongBits(p);
    for (Table t : tables) {
      if (t != null && t.quantity == quantity && t.inputs == inputs && t.targets == targets
          && t.weight == wBits && t.posWeight == pBits && t.rests == rests) {
        return t.values;
      }
    }
    Table t = new Table(quantity, inputs, targets, wBits, pBits, rests,
        compute(quantity, inputs, targets, w, p, rests));
    tables[next] = t;
    next = (next + 1) % KEPT;
    return t.values;
  }

  /**
   * Element by element, with the scalar quantity (the vector kernel's lanes have its bits): a
   * table is built a few times per task, too rarely for the JIT to compile the vector kernel for
   * this caller, and the Vector API runs some hundred times slower before it does.
   */
  private static double[] compute(ElementQuantity quantity, double[] inputs, double[] targets,
      double w, double p, Rests rests) {
    double[] values = new double[2 * inputs.length * targets.length];
    double[] valueAndLow = new double[2];
    try {
      for (int i = 0, k = 0; i < inputs.length; i++) {
        for (int j = 0; j < targets.length; j++, k += 2) {
          quantity.apply(inputs[i], targets[j], w, p, rests, valueAndLow);
          values[k] = valueAndLow[0];
          values[k + 1] = valueAndLow[1];
        }
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    BUILT.incrementAndGet();
    return values;
  }
}
