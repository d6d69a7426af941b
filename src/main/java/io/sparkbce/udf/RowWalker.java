package io.sparkbce.udf;

import io.sparkbce.loss.ElementConsumer;
import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.Rests;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;

/**
 * Walks one row of (possibly nested) arrays in the canonical form of {@link LossCall}: checks the
 * shapes, gathers each innermost vector into primitive blocks with weight and pos_weight broadcast
 * onto it, hands the block to the kernel, and passes the results on: to an accumulator (aggregates)
 * and/or into a result array of the input's shape (elementwise functions).
 *
 * <p>Holds scratch blocks, so one instance per thread ({@link #get()}).
 */
final class RowWalker extends KernelColumns {
  private static final ThreadLocal<RowWalker> PER_THREAD = ThreadLocal.withInitial(RowWalker::new);

  private boolean[] valid = new boolean[0];

  static RowWalker get() {
    return PER_THREAD.get();
  }

  /**
   * @param rank the input's nesting depth (>= 1)
   * @param weightRank the weight's nesting depth (1..rank), aligned with the innermost dimensions
   * @param floats which arrays hold FLOAT ({@link FloatColumns})
   * @param sink receives valid elements, or null
   * @param rests the accuracy of the rests the sink receives (ignored without a sink)
   * @param materialize whether to build and return the result array
   */
  ArrayData walk(
      ElementQuantity quantity, ArrayData xs, ArrayData ys, ArrayData ws, ArrayData ps, int rank,
      int weightRank, int floats, ElementConsumer sink, Rests rests, boolean materialize,
      Object context) {
    int n = xs.numElements();
    int m = ys.numElements();
    if (m != n) {
      throw new FunctionContext(String.valueOf(context))
          .runtimeError("Target size (" + m + ") must be the same as input size (" + n + ")");
    }
    boolean weightHere = weightRank == rank;
    int wn = weightHere ? ws.numElements() : 1;
    if (weightHere && wn != n && wn != 1) {
      throw new FunctionContext(String.valueOf(context))
          .runtimeError("weight size (" + wn + ") must match input size (" + n + ")");
    }
    if (rank == 1) {
      return leaf(quantity, xs, ys, ws, ps, floats, sink, rests, materialize, context);
    }
    Object[] children = materialize ? new Object[n] : null;
    for (int i = 0; i < n; i++) {
      int wi = wn == 1 ? 0 : i;
      if (xs.isNullAt(i) || ys.isNullAt(i) || (weightHere && ws.isNullAt(wi))) {
        continue;
      }
      ArrayData wChild = weightHere ? ws.getArray(wi) : ws;
      int wRank = weightHere ? weightRank - 1 : weightRank;
      ArrayData r =
          walk(quantity, xs.getArray(i), ys.getArray(i), wChild, ps, rank - 1, wRank, floats, sink,
              rests, materialize, context);
      if (materialize) {
        children[i] = r;
      }
    }
    return materialize ? new GenericArrayData(children) : null;
  }

  private ArrayData leaf(
      ElementQuantity quantity, ArrayData xs, ArrayData ys, ArrayData ws, ArrayData ps,
      int floats, ElementConsumer sink, Rests rests, boolean materialize, Object context) {
    int n = xs.numElements();
    int wn = ws.numElements();
    int pn = ps.numElements();
    if (pn != n && pn != 1 && quantity.takesPosWeight()) {
      throw new FunctionContext(String.valueOf(context))
          .runtimeError("pos_weight size (" + pn + ") must match the number of classes (" + n + ")");
    }
    ensureCapacity(n);
    boolean wScalar = wn == 1;
    boolean pScalar = pn == 1;
    boolean allValid = true;
    boolean xFloats = (floats & FloatColumns.INPUT) != 0;
    boolean yFloats = (floats & FloatColumns.TARGET) != 0;
    boolean wFloats = (floats & FloatColumns.WEIGHT) != 0;
    for (int i = 0; i < n; i++) {
      int wi = wScalar ? 0 : i;
      int pi = pScalar ? 0 : i;
      boolean ok = !xs.isNullAt(i) && !ys.isNullAt(i) && !ws.isNullAt(wi) && !ps.isNullAt(pi);
      valid[i] = ok;
      allValid &= ok;
      x[i] = ok ? FloatColumns.read(xs, i, xFloats) : 0.5;
      y[i] = ok ? FloatColumns.read(ys, i, yFloats) : 0.5;
      w[i] = ok ? FloatColumns.read(ws, wi, wFloats) : 1.0;
      p[i] = ok ? ps.getDouble(pi) : 1.0;
    }
    try {
      quantity.apply(x, y, w, p, out, low, sink == null ? null : rests, n);
      if (sink != null) {
        sink.beginBlock(n);
      }
    } catch (IllegalArgumentException e) {
      throw new FunctionContext(String.valueOf(context)).runtimeError(e.getMessage());
    }
    if (sink != null) {
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          sink.acceptElement(i, x[i], y[i], p[i], out[i], low[i], w[i]);
        }
      }
    }
    if (!materialize) {
      return null;
    }
    UnsafeArrayData result = UnsafeArrayData.fromPrimitiveArray(Arrays.copyOf(out, n));
    if (!allValid) {
      for (int i = 0; i < n; i++) {
        if (!valid[i]) {
          result.setNullAt(i);
        }
      }
    }
    return result;
  }

  @Override
  void grown(int capacity) {
    valid = new boolean[capacity];
  }
}
