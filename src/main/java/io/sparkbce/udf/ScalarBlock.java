package io.sparkbce.udf;

/**
 * A batch of scalar rows of one call as primitive columns: what {@link ColumnarPartialAggregation}
 * reads from a columnar batch and {@link RowAggregate#updateScalars} hands to the block kernel in
 * one call, instead of one kernel call per row.
 */
final class ScalarBlock extends KernelColumns {
  /** Rows whose input, target or weight is NULL: skipped, as the row path skips them. */
  boolean[] skip = new boolean[0];
  /** Rows whose pos_weight is NULL: an error unless the row is skipped anyway. */
  boolean[] posWeightNull = skip;
  /** After {@link #keepValidRows}: the batch row of each kept element. */
  int[] row = new int[0];
  int size;
  boolean anyNull;

  /** Starts a batch of {@code n} rows with no NULL seen yet. */
  void reset(int n) {
    ensureCapacity(n);
    size = n;
    anyNull = false;
    java.util.Arrays.fill(skip, 0, n, false);
    java.util.Arrays.fill(posWeightNull, 0, n, false);
  }

  @Override
  void grown(int capacity) {
    skip = new boolean[capacity];
    posWeightNull = new boolean[capacity];
    row = new int[capacity];
  }

  /** Moves the valid rows to the front, in order; returns how many there are. */
  int keepValidRows(FunctionContext errors) {
    if (!anyNull) {
      for (int i = 0; i < size; i++) {
        row[i] = i;
      }
      return size;
    }
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (skip[i]) {
        continue;
      }
      if (posWeightNull[i]) {
        throw errors.runtimeError("pos_weight is NULL");
      }
      x[kept] = x[i];
      y[kept] = y[i];
      w[kept] = w[i];
      p[kept] = p[i];
      row[kept] = i;
      kept++;
    }
    return kept;
  }
}
