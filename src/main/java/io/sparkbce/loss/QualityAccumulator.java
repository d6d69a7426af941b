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
 * The sums are of the elements' true values: w*y, w*p*y and w*(1-y) as exact double-double
 * products (exact unless a product is below 2^-969, where its error is below 2^-1074), the loss
 * and w*sigmoid(x) as {@link TrueSum}s (hi + lo within 2^-67 of each). A quotient is the true
 * quotient rounded once (a loss or prediction quotient: decided as {@link TrueSum} says, else
 * within 1 ulp); the baseline of a class is computed from the rounded sums with BCELoss's
 * correctly rounded logs (deterministically), and summed exactly over classes.
 */
public final class QualityAccumulator implements ElementConsumer, Serializable {
  private static final long serialVersionUID = 1L;

  private ClassLossAccumulator loss = new ClassLossAccumulator(true);
  private ClassSums positives = new ClassSums();
  private ClassSums weightedPositives = new ClassSums();
  private ClassSums negatives = new ClassSums();
  /** w*sigmoid(x) per class, as the "loss" of a weightless per-class state. */
  private ClassLossAccumulator predicted = new ClassLossAccumulator(false);
  private ClassSums targets = new ClassSums();
  /** The four ClassSums above, for the loops over them (beginBlock runs once per row). */
  private transient ClassSums[] sums;
  private Rests rests = Rests.TABLE;
  private transient DoubleDouble scratch = new DoubleDouble();

  @Override
  public void beginBlock(int classCount) {
    loss.beginBlock(classCount);
    predicted.beginBlock(classCount);
    for (ClassSums s : sums()) {
      s.ensure(classCount);
    }
  }

  @Override
  public void rests(Rests rests) {
    this.rests = rests;
    loss.rests(rests);
    predicted.rests(rests);
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
    DoubleDouble v = scratch;
    addProduct(positives.sums[c], w, y, 0.0, v);
    // p*y exactly (y = 0 counts nothing, even with an infinite p), then times w
    if (y != 0.0) {
      v.twoProd(p, y);
      addProduct(weightedPositives.sums[c], w, v.hi, v.lo, v);
    }
    v.twoSum(1.0, -y);
    addProduct(negatives.sums[c], w, v.hi, v.lo, v);
    LossKernel.weightedSigmoid(x, w, rests, v);
    predicted.accept(c, v.hi, v.lo, w);
    targets.sums[c].add(y);
  }

  /** Adds w (bh + bl) exactly: both products' high and low parts (2MultFMA). */
  private static void addProduct(ExactSum sum, double w, double bh, double bl, DoubleDouble v) {
    v.twoProd(w, bh);
    sum.add(v.hi);
    sum.add(v.lo);
    if (bl != 0.0) {
      v.twoProd(w, bl);
      sum.add(v.hi);
      sum.add(v.lo);
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
    predicted.merge(other.predicted);
    ClassSums[] mine = sums();
    ClassSums[] theirs = other.sums();
    for (int i = 0; i < mine.length; i++) {
      mine[i].merge(theirs[i]);
    }
  }

  private ClassSums[] sums() {
    if (sums == null) {
      sums = new ClassSums[] {positives, weightedPositives, negatives, targets};
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
    return baselineTerm(up, rate, 1.0) + baselineTerm(down, rate, 0.0);
  }

  /**
   * coefficient * -max(log r, -100) (y = 1) or * -max(log(1 - r), -100) (y = 0), correctly
   * rounded (BCELoss with the coefficient as weight); zero for a zero coefficient, even where
   * the log is -100 or the coefficient infinite. A rate outside [0, 1] (negative weights) or
   * NaN gives NaN.
   */
  private static double baselineTerm(double coefficient, double rate, double y) {
    if (coefficient == 0.0) {
      return 0.0;
    }
    if (!(rate >= 0.0 && rate <= 1.0)) {
      return Double.NaN;
    }
    return LossKernel.probabilities(rate, y, coefficient);
  }

  /** sum(w*sigmoid(x)) / sum(w*y) over all classes; null without elements. */
  public Double calibration() {
    return elements() == 0 ? null : predictedTotal().dividedBy(positives.total());
  }

  public Double calibration(int c) {
    return elements(c) == 0 ? null : predicted(c).dividedBy(positives.sums[c]);
  }

  private TrueSum predicted(int c) {
    return predicted.classState(c).lossSum();
  }

  private TrueSum predictedTotal() {
    TrueSum t = new TrueSum();
    for (int c = 0; c < classCount(); c++) {
      t.merge(predicted(c));
    }
    return t;
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
    return elements() == 0 ? null : predictedTotal().dividedBy(weightTotal());
  }

  public Double meanPrediction(int c) {
    return elements(c) == 0 ? null : predicted(c).dividedBy(loss.classState(c).weightSum());
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
    predicted.writeTo(out);
    for (ClassSums s : sums()) {
      s.writeTo(out);
    }
  }

  public static QualityAccumulator readFrom(DataInput in) throws IOException {
    QualityAccumulator q = new QualityAccumulator();
    q.loss = ClassLossAccumulator.readFrom(in);
    q.predicted = ClassLossAccumulator.readFrom(in);
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
