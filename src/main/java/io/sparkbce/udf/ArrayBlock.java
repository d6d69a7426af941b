package io.sparkbce.udf;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * A batch of array rows (rank 1) of one call gathered into one primitive block, so that the kernel
 * runs once per batch rather than once per row. Only for plain batches: every row's input and
 * target are arrays of the same length without NULLs, the weight is one number for all or an
 * array column of that length, pos_weight is constant or such a column. Anything else goes row by row through
 * {@link RowWalker}, which also says what is wrong with a row.
 */
final class ArrayBlock {
  double[] x = new double[0];
  double[] y = x;
  double[] w = x;
  double[] p = x;
  double[] out = x;
  /** Row i's elements are [start[i], start[i] + length[i]). */
  int[] start = new int[0];
  int[] length = start;
  int elements;

  /**
   * @param from the first of the n rows
   * @param posWeight the call's constant pos_weight (length 1 or C), or null if it is not constant
   * @return whether the batch was plain and is now in the block
   */
  boolean gather(
      ColumnarBatch batch, int from, int n, BatchArgument[] args, double[] posWeight) {
    WritableColumnVector xs = args[0].arrays(batch);
    WritableColumnVector ys = args[1].arrays(batch);
    WritableColumnVector ws = args[2].arrays(batch);
    WritableColumnVector ps = posWeight == null ? args[3].arrays(batch) : null;
    double rowWeight = args[2].singleValue();
    if (xs == null || ys == null || (ws == null && Double.isNaN(rowWeight))
        || (posWeight == null && ps == null) || hasNull(xs) || hasNull(ys)
        || (ws != null && hasNull(ws)) || (ps != null && hasNull(ps))) {
      return false;
    }
    if (start.length < n) {
      start = new int[n];
      length = new int[n];
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      int row = from + i;
      int len = xs.getArrayLength(row);
      if (ys.getArrayLength(row) != len || (ws != null && ws.getArrayLength(row) != len)
          || (ps != null ? ps.getArrayLength(row) != len
              : posWeight.length != 1 && posWeight.length != len)) {
        return false;
      }
      start[i] = total;
      length[i] = len;
      total += len;
    }
    ensureCapacity(total);
    elements = total;
    read(xs, from, n, x);
    read(ys, from, n, y);
    if (ws == null) {
      java.util.Arrays.fill(w, 0, total, rowWeight);
    } else {
      read(ws, from, n, w);
    }
    if (ps != null) {
      read(ps, from, n, p);
      return true;
    }
    for (int i = 0; i < n; i++) {
      int s = start[i];
      if (posWeight.length == 1) {
        java.util.Arrays.fill(p, s, s + length[i], posWeight[0]);
      } else {
        System.arraycopy(posWeight, 0, p, s, length[i]);
      }
    }
    return true;
  }

  /** NULL rows or NULL elements: for RowWalker to skip or report. */
  private static boolean hasNull(WritableColumnVector arrays) {
    return arrays.hasNull() || arrays.arrayData().hasNull();
  }

  private void read(WritableColumnVector arrays, int rowFrom, int n, double[] into) {
    WritableColumnVector data = arrays.arrayData();
    boolean floats = data.dataType() instanceof FloatType;
    for (int i = 0; i < n; i++) {
      int from = arrays.getArrayOffset(rowFrom + i);
      int to = start[i];
      int len = length[i];
      if (floats) {
        for (int k = 0; k < len; k++) {
          into[to + k] = data.getFloat(from + k);
        }
      } else {
        for (int k = 0; k < len; k++) {
          into[to + k] = data.getDouble(from + k);
        }
      }
    }
  }

  private void ensureCapacity(int total) {
    if (x.length < total) {
      int c = Math.max(total, 2 * x.length);
      x = new double[c];
      y = new double[c];
      w = new double[c];
      p = new double[c];
      out = new double[c];
    }
  }
}
