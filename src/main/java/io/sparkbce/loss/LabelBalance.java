package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * Positives and negatives per class, for {@code pos_weight = negatives / positives}. A soft target
 * y counts as y positives and 1 - y negatives, which is the same count for hard 0/1 labels.
 */
public final class LabelBalance implements ElementConsumer, Serializable {
  private static final long serialVersionUID = 1L;

  private final ClassSums positives = new ClassSums();
  private final ClassSums negatives = new ClassSums();

  @Override
  public void beginBlock(int classCount) {
    positives.ensure(classCount);
    negatives.ensure(classCount);
  }

  /** Targets are exact: {@code low} is zero. */
  @Override
  public void accept(int classIndex, double target, double low, double weight) {
    positives.sums[classIndex].add(target);
    // 1 - y exactly (2Sum): 1 - 0.1 is not a double
    double n = 1.0 - target;
    double bb = n - 1.0;
    negatives.sums[classIndex].add(n);
    negatives.sums[classIndex].add((1.0 - (n - bb)) + (-target - bb));
  }

  /**
   * A run of rows of one target each ({@code values}, see {@link ElementQuantity#TARGET}). With
   * 0/1 labels the sums are counts, each added once as a whole number: the same exact sums as
   * adding the ones one by one.
   */
  @Override
  public void acceptScalarRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int count) {
    beginBlock(1);
    int end = offset + count;
    long ones = 0;
    boolean hard = true;
    for (int i = offset; i < end; i++) {
      double target = values[i];
      ones += target == 1.0 ? 1 : 0;
      hard &= target == 1.0 | target == 0.0;
    }
    if (hard) {
      positives.sums[0].add(ones);
      negatives.sums[0].add(count - ones);
      return;
    }
    for (int i = offset; i < end; i++) {
      accept(0, values[i], weights[i]);
    }
  }

  public void merge(LabelBalance other) {
    positives.merge(other.positives);
    negatives.merge(other.negatives);
  }

  public int classCount() {
    return positives.sums.length;
  }

  /**
   * negatives / positives per class, rounded once. A class without positives gets +Infinity
   * (NaN if it has no labels at all): with such a pos_weight its all-negative elements still
   * get a finite loss, because a zero coefficient contributes exactly zero.
   */
  public double[] posWeight() {
    double[] r = new double[classCount()];
    for (int c = 0; c < r.length; c++) {
      r[c] = negatives.sums[c].dividedBy(positives.sums[c]);
    }
    return r;
  }

  public void writeTo(DataOutput out) throws IOException {
    positives.writeTo(out);
    negatives.writeTo(out);
  }

  public static LabelBalance readFrom(DataInput in) throws IOException {
    LabelBalance b = new LabelBalance();
    b.positives.readFrom(in);
    b.negatives.readFrom(in);
    return b;
  }

  /** Java serialisation writes the plain byte[] of {@link StateBytes}; see there why. */
  private Object writeReplace() {
    return toBytes();
  }

  public byte[] toBytes() {
    return StateBytes.of(this::writeTo);
  }

  public static LabelBalance fromBytes(byte[] bytes) {
    return StateBytes.read(bytes, LabelBalance::readFrom);
  }
}
