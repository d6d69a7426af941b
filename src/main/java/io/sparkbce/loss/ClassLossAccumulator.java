package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * One {@link LossAccumulator} per class (the innermost index). The number of classes is fixed by
 * the first row; a row with another number is an error rather than a silently ragged result.
 */
public final class ClassLossAccumulator implements ElementConsumer, Serializable {
  private static final long serialVersionUID = 1L;

  private LossAccumulator[] classes = new LossAccumulator[0];
  private final boolean tracksWeight;
  private Rests rests = Rests.TABLE;

  /** Per-class accumulators that track weights (every reduction can be read). */
  public ClassLossAccumulator() {
    this(true);
  }

  /** @param tracksWeight whether weighted_mean will be asked for */
  public ClassLossAccumulator(boolean tracksWeight) {
    this.tracksWeight = tracksWeight;
  }

  /** Fixes the number of classes on first use, checks it afterwards. */
  @Override
  public void beginBlock(int classCount) {
    if (ClassCount.first(classes.length, classCount)) {
      classes = new LossAccumulator[classCount];
      for (int c = 0; c < classCount; c++) {
        classes[c] = new LossAccumulator(tracksWeight);
        classes[c].rests(rests);
      }
    }
  }

  @Override
  public void rests(Rests rests) {
    this.rests = rests;
    for (LossAccumulator a : classes) {
      a.rests(rests);
    }
  }

  @Override
  public void accept(int classIndex, double value, double low, double weight) {
    classes[classIndex].add(value, low, weight);
  }

  @Override
  public void acceptAll(
      double[] values, double[] lows, double[] weights, int offset, int classCount) {
    LossAccumulator[] c = classes;
    for (int k = 0; k < classCount; k++) {
      c[k].add(values[offset + k], lows[offset + k], weights[offset + k]);
    }
  }

  /** Rows of one element each: one class, so the run goes to its state as one block. */
  @Override
  public void acceptScalarRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int count) {
    beginBlock(1);
    classes[0].acceptAll(values, lows, weights, offset, count);
  }

  /** Per-class loss sums read values and weights only. */
  @Override
  public boolean readsInputs() {
    return false;
  }

  /** {@link #acceptScalarRows} of rows whose weights are all 1 (their weight sum is a count). */
  void acceptUnitWeightRows(double[] values, double[] lows, int offset, int count) {
    beginBlock(1);
    classes[0].acceptUnitWeights(values, lows, offset, count);
  }

  /**
   * Rows of c elements each laid out one after another go in a class at a time: class k's
   * elements are every c-th value from the first row's k-th, one {@link ExactSum} block per class
   * (binned, {@link ExactSum#addAll(double[], int, int, int)}) rather than one {@link
   * ExactSum#add} of three chunk updates per element. Exact sums: the same state as row by row.
   * A row of another length, or not right after the one before, starts a new stretch, whose
   * {@link #beginBlock} checks its class count as the row-by-row default would.
   */
  @Override
  public void acceptArrayRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int[] start, int[] length, int first, int last) {
    int i = first;
    while (i < last) {
      int c = length[i];
      int end = i + 1;
      while (end < last && length[end] == c && start[end] == start[end - 1] + c) {
        end++;
      }
      beginBlock(c);
      LossAccumulator[] a = classes;
      for (int k = 0; k < c; k++) {
        a[k].acceptStrided(values, lows, weights, start[i] + k, c, end - i);
      }
      i = end;
    }
  }

  public void merge(ClassLossAccumulator other) {
    if (other.classes.length == 0) {
      return;
    }
    beginBlock(other.classes.length);
    for (int c = 0; c < classes.length; c++) {
      classes[c].merge(other.classes[c]);
    }
  }

  public int classCount() {
    return classes.length;
  }

  /** Class {@code c}'s state, for the states built on this one. */
  LossAccumulator classState(int c) {
    return classes[c];
  }

  /** Whether every class's {@link #result} is decided ({@link LossAccumulator#decided}). */
  public boolean decided(Reduction reduction) {
    for (LossAccumulator a : classes) {
      if (!a.decided(reduction)) {
        return false;
      }
    }
    return true;
  }

  /** One value per class; a class with no elements gives null for the means. */
  public Double[] result(Reduction reduction) {
    Double[] r = new Double[classes.length];
    for (int c = 0; c < classes.length; c++) {
      r[c] = classes[c].result(reduction);
    }
    return r;
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(classes.length);
    for (LossAccumulator a : classes) {
      a.writeTo(out);
    }
  }

  public static ClassLossAccumulator readFrom(DataInput in) throws IOException {
    ClassLossAccumulator s = new ClassLossAccumulator();
    int n = in.readInt();
    s.classes = new LossAccumulator[n];
    for (int c = 0; c < n; c++) {
      s.classes[c] = LossAccumulator.readFrom(in);
    }
    return s;
  }

  /** Java serialisation writes the plain byte[] of {@link StateBytes}; see there why. */
  private Object writeReplace() {
    return toBytes();
  }

  public byte[] toBytes() {
    return StateBytes.of(this::writeTo);
  }

  public static ClassLossAccumulator fromBytes(byte[] bytes) {
    return StateBytes.read(bytes, ClassLossAccumulator::readFrom);
  }
}
