package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * The mergeable state of one reduced loss: zero (the constructor), update ({@link #accept}), merge
 * and result. Sums are exact, so the result does not depend on how rows were split or merged.
 */
public final class LossAccumulator implements ElementConsumer, Serializable {
  private static final long serialVersionUID = 1L;

  private final TrueSum loss = new TrueSum();
  private final ExactSum weight = new ExactSum();
  private long elements;
  /** Only weighted_mean needs the sum of weights; the others skip its cost on the hot path. */
  private boolean tracksWeight;

  /** An accumulator that tracks weights, so that every reduction can be read from it. */
  public LossAccumulator() {
    this(true);
  }

  public LossAccumulator(boolean tracksWeight) {
    this.tracksWeight = tracksWeight;
  }

  public static LossAccumulator forReduction(Reduction reduction) {
    return new LossAccumulator(reduction == Reduction.WEIGHTED_MEAN);
  }

  @Override
  public void accept(int classIndex, double value, double low, double w) {
    add(value, low, w);
  }

  @Override
  public void rests(Rests rests) {
    loss.restBits(rests.bits);
  }

  @Override
  public void acceptAll(double[] values, double[] lows, double[] weights, int offset, int count) {
    loss.addAll(values, lows, offset, count);
    if (tracksWeight) {
      weight.addAll(weights, offset, count);
    }
    elements += count;
  }

  /**
   * {@link #acceptAll} of elements whose weights are all 1: the weight sum grows by the count,
   * added once as a whole number (an exact sum of n ones is the exact sum n: the same state).
   */
  void acceptUnitWeights(double[] values, double[] lows, int offset, int count) {
    loss.addAll(values, lows, offset, count);
    if (tracksWeight) {
      weight.add(count);
    }
    elements += count;
  }

  /**
   * {@code values[offset + k * stride]} (weights likewise) for k below {@code count}: one class's
   * elements of rows laid out one after another ({@link ClassLossAccumulator#acceptArrayRows}).
   */
  void acceptStrided(
      double[] values, double[] lows, double[] weights, int offset, int stride, int count) {
    loss.addAll(values, lows, offset, stride, count);
    if (tracksWeight) {
      weight.addAll(weights, offset, stride, count);
    }
    elements += count;
  }

  /** Rows of one element each: no per-row work here, so the elements go in as one block. */
  @Override
  public void acceptScalarRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int count) {
    acceptAll(values, lows, weights, offset, count);
  }

  /** A loss sum reads values and weights only. */
  @Override
  public boolean readsInputs() {
    return false;
  }

  /**
   * A loss sum does not tell classes or rows apart: rows whose elements lie one after another go
   * in as one block (one call, one flush of {@link ExactSum#addAll}'s bins) instead of one per row.
   */
  @Override
  public void acceptArrayRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int[] start, int[] length, int first, int last) {
    int i = first;
    while (i < last) {
      int from = start[i];
      int end = from + length[i];
      for (i++; i < last && start[i] == end; i++) {
        end += length[i];
      }
      acceptAll(values, lows, weights, from, end - from);
    }
  }

  /** {@code value} is the weighted element loss; {@code w} its weight (1 when unweighted). */
  public void add(double value, double w) {
    add(value, 0.0, w);
  }

  /** An element loss given as {@code value + low} (see {@link ElementConsumer}). */
  public void add(double value, double low, double w) {
    loss.add(value, low);
    if (tracksWeight) {
      weight.add(w);
    }
    elements++;
  }

  public void merge(LossAccumulator other) {
    loss.merge(other.loss);
    weight.merge(other.weight);
    tracksWeight &= other.tracksWeight;
    elements += other.elements;
  }

  public long elements() {
    return elements;
  }

  /** The sum of the element losses (read-only use). */
  TrueSum lossSum() {
    return loss;
  }

  /** The exact sum of the weights (read-only use). */
  ExactSum weightSum() {
    return weight;
  }

  /**
   * NULL (Java null) for a mean over zero elements, as SQL's avg; 0.0 for an empty sum. The true
   * value rounded once when {@link #decided}, else within 1 ulp of it (see {@link TrueSum}).
   */
  public Double result(Reduction reduction) {
    TrueSum.Rounded r = rounded(reduction);
    return r == null ? null : r.value;
  }

  /**
   * Whether {@link #result} is proven to be the correctly rounded true value (true for a NULL
   * result); when not, running again with {@link Rests#DOUBLE_DOUBLE} almost surely decides it.
   * Never under {@link LossRounding#FAST}: its elements are not within the rests' bound.
   */
  public boolean decided(Reduction reduction) {
    TrueSum.Rounded r = rounded(reduction);
    return r == null || (r.decided && !LossRounding.FAST_SELECTED);
  }

  private TrueSum.Rounded rounded(Reduction reduction) {
    switch (reduction) {
      case SUM:
        return loss.rounded();
      case MEAN:
        return elements == 0 ? null : loss.quotient(elements);
      case WEIGHTED_MEAN:
        if (!tracksWeight) {
          throw new IllegalStateException("weights were not accumulated for weighted_mean");
        }
        return elements == 0 ? null : loss.quotient(weight);
      default:
        throw new IllegalArgumentException(
            "reduction '" + reduction.sqlName() + "' does not reduce; valid reductions are "
                + Reduction.validNames(false));
    }
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeLong(elements);
    out.writeBoolean(tracksWeight);
    loss.writeTo(out);
    weight.writeTo(out);
  }

  public static LossAccumulator readFrom(DataInput in) throws IOException {
    LossAccumulator a = new LossAccumulator();
    a.elements = in.readLong();
    a.tracksWeight = in.readBoolean();
    a.loss.merge(TrueSum.readFrom(in));
    a.weight.merge(ExactSum.readFrom(in));
    return a;
  }

  /** Java serialisation writes the plain byte[] of {@link StateBytes}; see there why. */
  private Object writeReplace() {
    return toBytes();
  }

  public byte[] toBytes() {
    return StateBytes.of(this::writeTo);
  }

  public static LossAccumulator fromBytes(byte[] bytes) {
    return StateBytes.read(bytes, LossAccumulator::readFrom);
  }
}
