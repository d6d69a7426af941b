package io.sparkbce.loss;

import static io.sparkbce.loss.HighPrecision.exactSum;
import static io.sparkbce.loss.HighPrecision.round;
import static io.sparkbce.loss.HighPrecision.roundQuotient;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scalar rows handed to the quality and per-class states a run at a time (the columnar path's
 * {@code acceptScalarRows}) give the state of the same rows accepted one by one (the row path's
 * calls), byte for byte, and the metrics of BigDecimal sums.
 */
class QualityAccumulatorTest {

  /** Rows of one element: logits, targets, pos_weight, element losses, weights. */
  private static final class Rows {
    final double[] x;
    final double[] y;
    final double[] p;
    final double[] v;
    /** The rests of v, as aggregates consume the losses ({@link Rests#TABLE}). */
    final double[] lo;
    final double[] w;

    Rows(int n) {
      x = new double[n];
      y = new double[n];
      p = new double[n];
      v = new double[n];
      lo = new double[n];
      w = new double[n];
    }

    /** The element losses from the scalar kernel, as the columnar path computes them. */
    Rows withLosses() {
      double[] valueAndLow = new double[2];
      for (int i = 0; i < x.length; i++) {
        ElementQuantity.WITH_LOGITS.apply(x[i], y[i], w[i], p[i], Rests.TABLE, valueAndLow);
        v[i] = valueAndLow[0];
        lo[i] = valueAndLow[1];
      }
      return this;
    }
  }

  /** Unit weights and pos_weight, 0/1 labels: the case whose sums are counted. */
  private static Rows unitRows(SplittableRandom r, int n) {
    Rows rows = new Rows(n);
    for (int i = 0; i < n; i++) {
      rows.x[i] = r.nextDouble(-30, 30);
      rows.y[i] = r.nextInt(4) == 0 ? 1 : (r.nextInt(50) == 0 ? -0.0 : 0);
      rows.p[i] = 1;
      rows.w[i] = 1;
    }
    return rows.withLosses();
  }

  private static void feedInRuns(ElementConsumer state, Rows rows, SplittableRandom r,
      int from, int to) {
    while (from < to) {
      int len = Math.min(to - from, 1 + r.nextInt(60));
      state.acceptScalarRows(rows.x, rows.y, rows.p, rows.v, rows.lo, rows.w, from, len);
      from += len;
    }
  }

  private static void feedOneByOne(ElementConsumer state, Rows rows, int from, int to) {
    for (int i = from; i < to; i++) {
      state.beginBlock(1);
      state.acceptElement(0, rows.x[i], rows.y[i], rows.p[i], rows.v[i], rows.lo[i], rows.w[i]);
    }
  }

  private static void assertBits(double expected, Double actual, String what) {
    assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(actual),
        what + ": expected " + expected + " but got " + actual);
  }

  @Test
  void unitRowsInRunsGiveTheRowPathsStateAndExactMetrics() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 3000;
    Rows rows = unitRows(r, n);
    QualityAccumulator runs = new QualityAccumulator();
    feedInRuns(runs, rows, r, 0, n);
    QualityAccumulator oneByOne = new QualityAccumulator();
    feedOneByOne(oneByOne, rows, 0, n);
    assertArrayEquals(oneByOne.toBytes(), runs.toBytes());

    long positives = 0;
    double[] predictions = new double[n];
    for (int i = 0; i < n; i++) {
      positives += rows.y[i] == 1 ? 1 : 0;
      // the state's sigmoid, one element at a time (ReproducibleSigmoidTest checks it against
      // BigDecimal); what is under test here is the runs' kernel call and the exact sums
      predictions[i] = LossKernel.reproducibleSigmoid(rows.x[i]);
    }
    BigDecimal predicted = exactSum(predictions);
    BigDecimal count = BigDecimal.valueOf(n);
    BigDecimal ones = BigDecimal.valueOf(positives);
    assertBits(roundQuotient(ones, count), runs.positiveRate(), "positive rate");
    assertBits(roundQuotient(predicted, ones), runs.calibration(), "calibration");
    assertBits(roundQuotient(predicted, count), runs.meanPrediction(), "mean prediction");
    assertBits(roundQuotient(exactSum(rows.v), count), runs.loss(Reduction.MEAN), "mean loss");
    assertBits(roundQuotient(exactSum(rows.v), count), runs.loss(Reduction.WEIGHTED_MEAN),
        "weighted mean loss");
    assertEquals(positives, runs.targetsPerClass()[0]);
    assertEquals(n, runs.elements());
  }

  /**
   * The columnar path's order: the block's losses from one block-kernel call (the selected one,
   * the vector kernel under surefire, which keeps the block's e^-|x| for the sigmoids), then its
   * runs, of every length up to a whole block; unit and mixed rows: the row path's state.
   */
  @Test
  void runsAfterTheirBlocksLossesGiveTheRowPathsState() {
    SplittableRandom r = new SplittableRandom(8);
    for (int block = 0; block < 40; block++) {
      int n = 1 + r.nextInt(2000);
      Rows rows = unitRows(r, n);
      if (block % 2 == 1) {
        int at = r.nextInt(n);
        rows.w[at] = 0.5;
        rows.y[r.nextInt(n)] = 0.25;
        rows.x[r.nextInt(n)] = Double.NaN;
      }
      double[] expected = rows.v.clone();
      LossKernel.withLogits(rows.x, rows.y, rows.w, rows.p, rows.v, n);
      for (int i = 0; i < n; i++) {
        expected[i] = LossKernel.withLogits(rows.x[i], rows.y[i], rows.w[i], rows.p[i]);
      }
      assertArrayEquals(expected, rows.v, "block losses");
      QualityAccumulator runs = new QualityAccumulator();
      int from = 0;
      while (from < n) {
        int len = Math.min(n - from, 1 + r.nextInt(block % 3 == 0 ? n : 100));
        runs.acceptScalarRows(rows.x, rows.y, rows.p, rows.v, rows.lo, rows.w, from, len);
        from += len;
      }
      QualityAccumulator oneByOne = new QualityAccumulator();
      feedOneByOne(oneByOne, rows, 0, n);
      assertArrayEquals(oneByOne.toBytes(), runs.toBytes(), "block " + block + " of " + n);
    }
  }

  /**
   * Runs mixing weights other than 1, soft labels, pos_weight other than 1 and NaN logits with
   * unit rows, merged with a state filled one by one: the row path's state, byte for byte.
   */
  @Test
  void mixedRowsInRunsGiveTheRowPathsState() {
    SplittableRandom r = new SplittableRandom(11);
    int n = 4000;
    Rows rows = unitRows(r, n);
    for (int i = 0; i < n; i += 1 + r.nextInt(200)) {
      switch (r.nextInt(4)) {
        case 0:
          rows.w[i] = r.nextDouble(0, 3);
          break;
        case 1:
          rows.y[i] = r.nextDouble();
          break;
        case 2:
          rows.p[i] = r.nextDouble(0.5, 4);
          break;
        default:
          rows.x[i] = Double.NaN;
      }
    }
    rows.withLosses();
    QualityAccumulator runs = new QualityAccumulator();
    feedInRuns(runs, rows, r, 0, 3000);
    QualityAccumulator rest = new QualityAccumulator();
    feedOneByOne(rest, rows, 3000, n);
    runs.merge(rest);
    QualityAccumulator oneByOne = new QualityAccumulator();
    feedOneByOne(oneByOne, rows, 0, n);
    assertArrayEquals(oneByOne.toBytes(), runs.toBytes());
    assertArrayEquals(oneByOne.toBytes(), QualityAccumulator.fromBytes(runs.toBytes()).toBytes());
  }

  @Test
  void perClassStateTakesRunsAsTheRowPathDoes() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 2000;
    Rows rows = unitRows(r, n);
    for (int i = 0; i < n; i++) {
      rows.w[i] = r.nextDouble(0.1, 3);
    }
    rows.withLosses();
    ClassLossAccumulator runs = new ClassLossAccumulator(true);
    feedInRuns(runs, rows, r, 0, n);
    ClassLossAccumulator oneByOne = new ClassLossAccumulator(true);
    feedOneByOne(oneByOne, rows, 0, n);
    assertArrayEquals(oneByOne.toBytes(), runs.toBytes());
    assertBits(round(exactSum(rows.v)), runs.result(Reduction.SUM)[0], "sum");
    assertBits(roundQuotient(exactSum(rows.v), exactSum(rows.w)),
        runs.result(Reduction.WEIGHTED_MEAN)[0], "weighted mean");
  }

  /** Label counts of 0/1 labels in runs, then of soft labels among them. */
  @Test
  void labelBalanceTakesRunsAsTheRowPathDoes() {
    SplittableRandom r = new SplittableRandom(8);
    int n = 3000;
    Rows rows = unitRows(r, n);
    System.arraycopy(rows.y, 0, rows.v, 0, n); // bce_pos_weight's element value is the target
    LabelBalance runs = new LabelBalance();
    feedInRuns(runs, rows, r, 0, 1500);
    for (int i = 1500; i < n; i += 1 + r.nextInt(100)) {
      rows.v[i] = r.nextDouble();
    }
    feedInRuns(runs, rows, r, 1500, n);
    LabelBalance oneByOne = new LabelBalance();
    feedOneByOne(oneByOne, rows, 0, n);
    assertArrayEquals(oneByOne.toBytes(), runs.toBytes());
    double[] negatives = new double[n];
    for (int i = 0; i < n; i++) {
      negatives[i] = 1 - rows.v[i];
    }
    assertBits(roundQuotient(exactSum(negatives), exactSum(rows.v)), runs.posWeight()[0],
        "pos_weight");
  }

  @Test
  void runsOfScalarRowsCannotJoinAStateOfSeveralClasses() {
    QualityAccumulator q = new QualityAccumulator();
    q.beginBlock(3);
    Rows rows = unitRows(new SplittableRandom(1), 4);
    assertThrows(IllegalArgumentException.class,
        () -> q.acceptScalarRows(rows.x, rows.y, rows.p, rows.v, rows.lo, rows.w, 0, 4));
  }
}
