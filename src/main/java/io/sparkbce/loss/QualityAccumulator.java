package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;

/**
 * The mergeable state behind the quality metrics of BCEWithLogitsLoss over a group, per class
 * (the innermost index): the loss ({@link ClassLossAccumulator}) and exact sums of w*y (weighted
 * positives), w*p*y (positives weighted by pos_weight too), w*(1-y) (weighted negatives),
 * w*sigmoid(x) (weighted predicted probability) and y (the targets). Every result is a function of
 * these exact sums alone, so it does not depend on how the rows were split or merged, and the
 * merge of two windows' states is the state of their union (roll-ups).
 *
 * <p>The definitions:
 *
 * <ul>
 *   <li>positive rate = sum(w*y) / sum(w); mean prediction = sum(w*sigmoid(x)) / sum(w);
 *   <li>calibration = sum(w*sigmoid(x)) / sum(w*y) (1 is calibrated; IEEE rules for no positives);
 *   <li>normalized entropy = the loss sum / the baseline, where a class's baseline is the loss,
 *       under the same weights and pos_weight, of always predicting its positive rate r:
 *       sum(w*p*y)*(-log r) + sum(w*(1-y))*(-log(1-r)), with BCELoss's logs (clamped at -100). With
 *       pos_weight 1 that is TorchRec's {@code ne}: the cross entropy over the entropy of the
 *       positive rate. Over several classes, the losses' sum over the baselines' sum.
 * </ul>
 *
 * sigmoid is {@link LossKernel#reproducibleSigmoid}, not Math.exp's: its bits are the same on every
 * JVM and CPU, so are the exact sum of w*sigmoid(x) and the metrics made from it.
 *
 * <p>A quotient of exact sums is rounded once; the baseline of a class is computed in double from the
 * rounded sums (deterministically), and summed exactly over classes.
 */
public final class QualityAccumulator implements ElementConsumer, Serializable {
  private static final long serialVersionUID = 1L;

  private ClassLossAccumulator loss = new ClassLossAccumulator(true);
  private ClassSums positives = new ClassSums();
  private ClassSums weightedPositives = new ClassSums();
  private ClassSums negatives = new ClassSums();
  private ClassSums predicted = new ClassSums();
  private ClassSums targets = new ClassSums();
  /** sigmoid(x), then w*sigmoid(x), of a run of rows, summed in one call (ExactSum.addAll). */
  private static final ThreadLocal<double[]> PREDICTIONS =
      ThreadLocal.withInitial(() -> new double[1024]);

  /** The five sums above, for the loops over them (beginBlock runs once per row). */
  private transient ClassSums[] sums;

  @Override
  public void beginBlock(int classCount) {
    loss.beginBlock(classCount);
    for (ClassSums s : sums()) {
      s.ensure(classCount);
    }
  }

  @Override
  public void rests(Rests rests) {
    loss.rests(rests);
  }

  /** This state needs each element's input and target: see {@link #acceptElement}. */
  @Override
  public void accept(int classIndex, double value, double low, double weight) {
    throw new UnsupportedOperationException("the quality metrics need each element's input and "
        + "target");
  }

  @Override
  public void acceptElement(
      int c, double x, double y, double p, double value, double low, double w) {
    loss.accept(c, value, low, w);
    positives.sums[c].add(w * y);
    weightedPositives.sums[c].add(w * LossKernel.positive(y, p));
    negatives.sums[c].add(w * (1.0 - y));
    predicted.sums[c].add(w * LossKernel.reproducibleSigmoid(x));
    targets.sums[c].add(y);
  }

  /**
   * A run of rows of one element each. The loss goes in as one block; the sigmoids come from one
   * kernel call (vectorised where the JVM allows; the same bits as {@link #acceptElement}'s), and
   * w*sigmoid(x) is summed in one call. When every row of the run has weight 1, pos_weight 1 and a
   * 0/1 label (the common case) the other four sums are counts: w*y, w*p*y and y are 1 for each
   * positive, w*(1-y) is 1 for each negative, so each is added once, as a whole number. An exact
   * sum of n ones is the exact sum n, so the state is the same, bit for bit, as adding them one by
   * one; and w*sigmoid(x) is sigmoid(x) itself.
   */
  @Override
  public void acceptScalarRows(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int count) {
    if (targets.sums.length != 1) { // a run is often a few dozen rows: checked once, not six times
      beginBlock(1);
    }
    long ones = LossKernel.unitLabelOnesOf(y, weights, p, offset, count);
    if (ones >= 0) {
      loss.acceptUnitWeightRows(values, lows, offset, count);
    } else {
      loss.acceptScalarRows(x, y, p, values, lows, weights, offset, count);
    }
    double[] predictions = PREDICTIONS.get();
    if (predictions.length < count) {
      predictions = new double[Math.max(count, 2 * predictions.length)];
      PREDICTIONS.set(predictions);
    }
    LossKernel.reproducibleSigmoids(x, offset, predictions, count);
    if (ones >= 0) {
      predicted.sums[0].addAll(predictions, 0, count);
      double positiveCount = ones;
      positives.sums[0].add(positiveCount);
      weightedPositives.sums[0].add(positiveCount);
      negatives.sums[0].add(count - ones);
      targets.sums[0].add(positiveCount);
      return;
    }
    for (int k = 0; k < count; k++) {
      predictions[k] *= weights[offset + k];
    }
    predicted.sums[0].addAll(predictions, 0, count);
    for (int i = offset; i < offset + count; i++) {
      double w = weights[i];
      positives.sums[0].add(w * y[i]);
      weightedPositives.sums[0].add(w * LossKernel.positive(y[i], p[i]));
      negatives.sums[0].add(w * (1.0 - y[i]));
      targets.sums[0].add(y[i]);
    }
  }

  @Override
  public void acceptAllElements(double[] x, double[] y, double[] p, double[] values,
      double[] lows, double[] weights, int offset, int classCount) {
    for (int k = 0; k < classCount; k++) {
      int i = offset + k;
      acceptElement(k, x[i], y[i], p[i], values[i], lows[i], weights[i]);
    }
  }

  public void merge(QualityAccumulator other) {
    loss.merge(other.loss);
    ClassSums[] mine = sums();
    ClassSums[] theirs = other.sums();
    for (int i = 0; i < mine.length; i++) {
      mine[i].merge(theirs[i]);
    }
  }

  private ClassSums[] sums() {
    if (sums == null) {
      sums = new ClassSums[] {positives, weightedPositives, negatives, predicted, targets};
    }
    return sums;
  }

  public int classCount() {
    return loss.classCount();
  }

  /** Elements of all classes. */
  public long elements() {
    long n = 0;
    for (int c = 0; c < classCount(); c++) {
      n += elements(c);
    }
    return n;
  }

  public long elements(int c) {
    return loss.classState(c).elements();
  }

  /** The loss over all classes' elements, reduced; null for a mean over no elements. */
  public Double loss(Reduction reduction) {
    LossAccumulator all = new LossAccumulator(true);
    for (int c = 0; c < classCount(); c++) {
      all.merge(loss.classState(c));
    }
    return all.result(reduction);
  }

  /** The loss per class, reduced. */
  public Double[] lossPerClass(Reduction reduction) {
    return loss.result(reduction);
  }

  /** Normalized entropy over all classes; null without elements. */
  public Double normalizedEntropy() {
    if (elements() == 0) {
      return null;
    }
    TrueSum lossSum = new TrueSum();
    ExactSum baseline = new ExactSum();
    for (int c = 0; c < classCount(); c++) {
      lossSum.merge(loss.classState(c).lossSum());
      baseline.add(baseline(c));
    }
    return lossSum.dividedBy(baseline);
  }

  /** Normalized entropy of class {@code c}; null without elements. */
  public Double normalizedEntropy(int c) {
    if (elements(c) == 0) {
      return null;
    }
    ExactSum baseline = new ExactSum();
    baseline.add(baseline(c));
    return loss.classState(c).lossSum().dividedBy(baseline);
  }

  /** The loss of always predicting class c's positive rate (see the class comment). */
  private double baseline(int c) {
    double rate = positives.sums[c].dividedBy(loss.classState(c).weightSum());
    double up = weightedPositives.sums[c].value();
    double down = negatives.sums[c].value();
    // a zero coefficient contributes zero, also where its log is -100 or its factor infinite
    double a = up == 0.0 ? 0.0 : up * -Logarithm.clamped(rate);
    double b = down == 0.0 ? 0.0 : down * -Logarithm.clampedLog1pMinus(rate);
    return a + b;
  }

  /** sum(w*sigmoid(x)) / sum(w*y) over all classes; null without elements. */
  public Double calibration() {
    return elements() == 0 ? null : predicted.total().dividedBy(positives.total());
  }

  public Double calibration(int c) {
    return elements(c) == 0 ? null : predicted.sums[c].dividedBy(positives.sums[c]);
  }

  /** sum(w*y) / sum(w) over all classes; null without elements. */
  public Double positiveRate() {
    return elements() == 0 ? null : positives.total().dividedBy(weightTotal());
  }

  public Double positiveRate(int c) {
    return elements(c) == 0 ? null
        : positives.sums[c].dividedBy(loss.classState(c).weightSum());
  }

  /** sum(w*sigmoid(x)) / sum(w) over all classes; null without elements. */
  public Double meanPrediction() {
    return elements() == 0 ? null : predicted.total().dividedBy(weightTotal());
  }

  public Double meanPrediction(int c) {
    return elements(c) == 0 ? null
        : predicted.sums[c].dividedBy(loss.classState(c).weightSum());
  }

  /** The sum of the targets (unweighted) per class, rounded once. */
  public double[] targetsPerClass() {
    double[] r = new double[classCount()];
    for (int c = 0; c < r.length; c++) {
      r[c] = targets.sums[c].value();
    }
    return r;
  }

  private ExactSum weightTotal() {
    ExactSum w = new ExactSum();
    for (int c = 0; c < classCount(); c++) {
      w.merge(loss.classState(c).weightSum());
    }
    return w;
  }

  public void writeTo(DataOutput out) throws IOException {
    loss.writeTo(out);
    for (ClassSums s : sums()) {
      s.writeTo(out);
    }
  }

  public static QualityAccumulator readFrom(DataInput in) throws IOException {
    QualityAccumulator q = new QualityAccumulator();
    q.loss = ClassLossAccumulator.readFrom(in);
    for (ClassSums s : q.sums()) {
      s.readFrom(in);
    }
    return q;
  }

  /** Java serialisation writes the plain byte[] of {@link StateBytes}; see there why. */
  private Object writeReplace() {
    return toBytes();
  }

  public byte[] toBytes() {
    return StateBytes.of(this::writeTo);
  }

  public static QualityAccumulator fromBytes(byte[] bytes) {
    return StateBytes.read(bytes, QualityAccumulator::readFrom);
  }
}
