package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.Rests;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Array rows (rank 1) of one call read from a columnar batch into primitive blocks of some
 * thousand elements, so that the kernel runs once per block rather than once per row. Only for plain batches: every row's input and
 * target are arrays of the same length without NULLs, the weight is one number for all or an
 * array column of that length, pos_weight is constant or such a column. Anything else goes row by row through
 * {@link RowWalker}, which also says what is wrong with a row.
 *
 * <p>Where x and y are dictionary pages of few values and the weight and pos_weight are one number
 * each, the quantity is looked up per element from a table over the dictionaries' pairs
 * ({@link DictionaryLosses}), read from the dictionary ids in place, and x and y are loaded only
 * for states that read them.
 */
final class ArrayBlock extends KernelColumns {
  /** Row i's elements (i relative to the range) are [start[i], start[i] + length[i]). */
  int[] start = new int[0];
  int[] length = start;
  /** Elements loaded. */
  int elements;
  /**
   * Whether the loaded block is pairs of two dictionaries' entries with one weight and one
   * pos_weight: an element of input id i and target id j is input {@code inputTable[i]} and
   * target {@code targetTable[j]}, its quantity entry {@code i * targetTable.length + j} of a
   * {@link DictionaryLosses} table.
   */
  private boolean paired;
  /** Whether x and y hold the block's inputs (a paired block loads them only when asked). */
  private boolean inputsLoaded;
  private int blockFirst;
  private int blockLast;
  private double[] inputTable;
  private double[] targetTable;
  /** Whether the rows of the plain range have one weight and one pos_weight for all elements. */
  private boolean uniform;
  private double uniformPosWeight;
  private long plainElements;
  private final DictionaryLosses losses = new DictionaryLosses();

  /** Elements per kernel call: the block's columns stay in the core's caches. */
  static final int ELEMENTS = 8192;

  private WritableColumnVector xs;
  private WritableColumnVector ys;
  private WritableColumnVector ws;
  private WritableColumnVector ps;
  private double rowWeight;
  private double[] posWeight;
  private int from;
  /**
   * w[0 .. wFilled) holds wValue's bits, and p[0 .. pFilled) pRepeated over rows back to back:
   * a constant weight or pos_weight is written once per task rather than once per block.
   */
  private int wFilled;
  private long wValue;
  private int pFilled;
  private double[] pRepeated;
  /** Per column (x, y, w, p): its dictionary decoded, kept from batch to batch. */
  private final DictionaryFloats[] dictionaries = {
    new DictionaryFloats(), new DictionaryFloats(), new DictionaryFloats(), new DictionaryFloats()
  };

  /**
   * Whether rows from .. from+n-1 of the batch are plain; if so, they can be loaded.
   *
   * @param posWeight the call's constant pos_weight (length 1 or C), or null if it is not constant
   */
  boolean plain(ColumnarBatch batch, int from, int n, BatchArgument[] args, double[] posWeight) {
    xs = args[0].arrays(batch);
    ys = args[1].arrays(batch);
    ws = args[2].arrays(batch);
    ps = posWeight == null ? args[3].arrays(batch) : null;
    rowWeight = args[2].singleValue();
    this.posWeight = posWeight;
    this.from = from;
    if (xs == null || ys == null || (ws == null && Double.isNaN(rowWeight))
        || (posWeight == null && ps == null) || hasNull(xs) || hasNull(ys)
        || (ws != null && hasNull(ws)) || (ps != null && hasNull(ps))) {
      return false;
    }
    if (length.length < n) {
      start = new int[n];
      length = new int[n];
    }
    uniform = ws == null && posWeight != null && uniform(posWeight);
    uniformPosWeight = uniform ? posWeight[0] : Double.NaN;
    long total = 0;
    for (int i = 0; i < n; i++) {
      int row = from + i;
      int len = xs.getArrayLength(row);
      if (ys.getArrayLength(row) != len || (ws != null && ws.getArrayLength(row) != len)
          || (ps != null ? ps.getArrayLength(row) != len
              : posWeight.length != 1 && posWeight.length != len)) {
        return false;
      }
      length[i] = len;
      total += len;
    }
    plainElements = total;
    return true;
  }

  /** Whether every entry has the bits of the first one. */
  private static boolean uniform(double[] values) {
    long first = Double.doubleToRawLongBits(values[0]);
    for (double v : values) {
      if (Double.doubleToRawLongBits(v) != first) {
        return false;
      }
    }
    return true;
  }

  /**
   * Loads rows first, first+1, ... (of the plain range) into the columns, as many as fit in
   * {@link #ELEMENTS} but at least one; returns the row after the last one loaded.
   *
   * @param inputs whether the caller reads x and y after {@link #computeQuantity}; if not, a
   *     paired block leaves them unloaded
   */
  int load(int first, int n, boolean inputs) {
    int last = first;
    int total = 0;
    while (last < n && (last == first || total + length[last] <= ELEMENTS)) {
      start[last] = total;
      total += length[last];
      last++;
    }
    ensureCapacity(total);
    elements = total;
    blockFirst = first;
    blockLast = last;
    paired = uniform && pairs();
    inputsLoaded = !paired || inputs;
    if (inputsLoaded) {
      read(xs, 0, first, last, x);
      read(ys, 1, first, last, y);
    }
    if (ws == null) {
      if (wFilled < total || wValue != Double.doubleToRawLongBits(rowWeight)) {
        java.util.Arrays.fill(w, 0, total, rowWeight);
        wFilled = total;
        wValue = Double.doubleToRawLongBits(rowWeight);
      }
    } else {
      read(ws, 2, first, last, w);
      wFilled = 0;
    }
    if (ps != null) {
      read(ps, 3, first, last, p);
      pFilled = 0;
      return last;
    }
    // A constant pos_weight of C > 1 elements means rows of C elements (plain): rows back to back
    // from 0 are the same C values repeated, whichever rows they are.
    if (pRepeated != posWeight || pFilled < total) {
      for (int i = first; i < last; i++) {
        if (posWeight.length == 1) {
          java.util.Arrays.fill(p, start[i], start[i] + length[i], posWeight[0]);
        } else {
          System.arraycopy(posWeight, 0, p, start[i], length[i]);
        }
      }
      pRepeated = posWeight;
      pFilled = total;
    }
    return last;
  }

  /** The columns were reallocated (empty): nothing is filled any more. */
  @Override
  void grown(int capacity) {
    wFilled = 0;
    pFilled = 0;
  }

  /**
   * {@code quantity} of the loaded elements into {@link #out}: looked up per dictionary pair where
   * the block is pairs ({@link DictionaryLosses}), else by the kernel over the columns.
   */
  void computeQuantity(ElementQuantity quantity, Rests rests) {
    double[] table = paired
        ? losses.of(quantity, inputTable, targetTable, rowWeight, uniformPosWeight, rests) : null;
    if (table == null) {
      if (!inputsLoaded) {
        read(xs, 0, blockFirst, blockLast, x);
        read(ys, 1, blockFirst, blockLast, y);
        inputsLoaded = true;
      }
      quantity.apply(x, y, w, p, out, low, rests, elements);
      return;
    }
    lookUp(table);
  }

  /**
   * out and low = the table's entry of each element's pair of ids (hi, lo side by side), read from
   * the vectors in place.
   */
  private void lookUp(double[] table) {
    WritableColumnVector xData = xs.arrayData();
    WritableColumnVector yData = ys.arrayData();
    int[] xIds = DictionaryFloats.ids(xData);
    int[] yIds = DictionaryFloats.ids(yData);
    int targets = targetTable.length;
    double[] o = out;
    double[] l = low;
    for (int i = blockFirst; i < blockLast; i++) {
      int xAt = xs.getArrayOffset(from + i);
      int yAt = ys.getArrayOffset(from + i);
      int to = start[i];
      for (int k = 0, n = length[i]; k < n; k++) {
        int pair = 2 * (xIds[xAt + k] * targets + yIds[yAt + k]);
        o[to + k] = table[pair];
        l[to + k] = table[pair + 1];
      }
    }
  }

  /**
   * Whether the plain range's x and y are dictionary-encoded FLOATs whose tables are small
   * enough ({@link DictionaryLosses#fits}); if so, their tables are kept for the block.
   */
  private boolean pairs() {
    WritableColumnVector xData = xs.arrayData();
    WritableColumnVector yData = ys.arrayData();
    if (!(xData.dataType() instanceof FloatType) || !(yData.dataType() instanceof FloatType)) {
      return false;
    }
    double[] xTable = dictionaries[0].table(xData);
    double[] yTable = xTable == null ? null : dictionaries[1].table(yData);
    if (yTable == null || !losses.fits(xTable, yTable, plainElements)) {
      return false;
    }
    inputTable = xTable;
    targetTable = yTable;
    return true;
  }

  /** NULL rows or NULL elements: for RowWalker to skip or report. */
  private static boolean hasNull(WritableColumnVector arrays) {
    return arrays.hasNull() || arrays.arrayData().hasNull();
  }

  /**
   * Rows first..last-1 into {@code into} at their starts. Readers store a batch's arrays one after
   * another, so the rows' elements are usually one range: one bulk copy then (getFloats /
   * getDoubles), rather than a virtual call per element.
   */
  private void read(WritableColumnVector arrays, int column, int first, int last,
      double[] into) {
    WritableColumnVector data = arrays.arrayData();
    boolean floats = data.dataType() instanceof FloatType;
    double[] table = floats ? dictionaries[column].table(data) : null;
    int[] ids = table != null ? DictionaryFloats.ids(data) : null;
    int offset = arrays.getArrayOffset(from + first);
    int end = offset;
    for (int i = first; i < last && end >= 0; i++) {
      end = arrays.getArrayOffset(from + i) == end ? end + length[i] : -1;
    }
    if (end >= 0) {
      copy(data, floats, table, ids, offset, into, start[first], end - offset);
      return;
    }
    for (int i = first; i < last; i++) {
      copy(data, floats, table, ids, arrays.getArrayOffset(from + i), into, start[i], length[i]);
    }
  }

  private static void copy(WritableColumnVector data, boolean floats, double[] table, int[] ids,
      int offset, double[] into, int to, int n) {
    if (table != null) {
      for (int k = 0; k < n; k++) {
        into[to + k] = table[ids[offset + k]];
      }
    } else if (floats) {
      float[] stored = HeapFloats.of(data);
      float[] f = stored != null ? stored : data.getFloats(offset, n);
      int at = stored != null ? offset : 0;
      for (int k = 0; k < n; k++) {
        into[to + k] = f[at + k];
      }
    } else {
      double[] d = data.getDoubles(offset, n);
      System.arraycopy(d, 0, into, to, n);
    }
  }
}
