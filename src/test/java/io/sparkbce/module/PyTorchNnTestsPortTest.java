package io.sparkbce.module;

import static io.sparkbce.module.Frames.arrays;
import static io.sparkbce.module.Frames.assertFails;
import static io.sparkbce.module.Frames.assertNear;
import static io.sparkbce.module.Frames.expandColumn;
import static io.sparkbce.module.Frames.expandRow;
import static io.sparkbce.module.Frames.fill;
import static io.sparkbce.module.Frames.frame;
import static io.sparkbce.module.Frames.numbers;
import static io.sparkbce.module.Frames.plus;
import static io.sparkbce.module.Frames.rand;
import static io.sparkbce.module.Frames.sigmoid;
import static io.sparkbce.module.Frames.xy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BCELoss;
import io.sparkbce.BCEWithLogitsLoss;
import io.sparkbce.BceFunctions;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's own tests of these losses ({@code test/test_nn.py}, {@code TestNN}), one JUnit test
 * each, through the module API. A tensor of shape (N, C) is N rows of C-element arrays, (N,) is N
 * rows of numbers, (N, 1) is N rows of one-element arrays. Gradients come from the SQL function
 * {@code bce_with_logits_grad}: for {@code reduction='sum'} the gradient of the output is the
 * elementwise gradient. Where PyTorch compares two forms of the same computation, the test also
 * compares with PyTorch's formula in plain Java ({@link Reference}).
 */
class PyTorchNnTestsPortTest {
  private final Random random = new Random(20240611);

  static {
    TestSpark.session();
  }

  // ---- plain-Java references (PyTorch's formula) ----

  private static double[][] refWithLogits(double[][] x, double[][] y, double[][] w, double[] p) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        double wij = w == null ? 1 : w[i][j];
        double pj = p == null ? 1 : p[p.length == 1 ? 0 : j];
        out[i][j] = Reference.withLogits(x[i][j], y[i][j], wij, pj);
      }
    }
    return out;
  }

  private static double[][] refProbabilities(double[][] q, double[][] y, double[][] w) {
    double[][] out = new double[q.length][];
    for (int i = 0; i < q.length; i++) {
      out[i] = new double[q[i].length];
      for (int j = 0; j < q[i].length; j++) {
        out[i][j] = Reference.probabilities(q[i][j], y[i][j], w == null ? 1 : w[i][j]);
      }
    }
    return out;
  }

  private static double mean(double[][] l) {
    double s = 0;
    int n = 0;
    for (double[] row : l) {
      for (double v : row) {
        s += v;
        n++;
      }
    }
    return s / n;
  }

  private static double sum(double[][] l) {
    double s = 0;
    for (double[] row : l) {
      for (double v : row) {
        s += v;
      }
    }
    return s;
  }

  // ---- the ported tests ----

  /** test_bce_loss_always_nonnegative. */
  @Test
  void bceLossAlwaysNonnegative() {
    for (double v : new double[] {1, 0}) {
      double[] ones = {v, v, v, v, v};
      Dataset<Row> df = frame(new String[] {"q", "y"}, ones, ones);
      double mean = new BCELoss().apply(df, "q", "y");
      assertTrue(mean >= 0, "mean " + mean + " at input = target = " + v);
      for (double l : numbers(new BCELoss("none").applyNone(df, "q", "y"), "loss")) {
        assertTrue(l >= 0, "element loss " + l + " at input = target = " + v);
      }
    }
  }

  /** test_bce_with_logits_raises_if_target_and_input_are_different_size. */
  @Test
  void bceWithLogitsRaisesIfTargetAndInputAreDifferentSize() {
    double[] flat = {0.1, 0.2, 0.3, 0.4, 0.5};
    double[][] column = {{0.1}, {0.2}, {0.3}, {0.4}, {0.5}};
    // target (5,), input (5, 1)
    Dataset<Row> a = frame(new String[] {"x", "y"}, column, flat);
    assertFails(() -> new BCEWithLogitsLoss().apply(a, "x", "y"), "Target size");
    // target (5, 1), input (5,)
    Dataset<Row> b = frame(new String[] {"x", "y"}, flat, column);
    assertFails(() -> new BCEWithLogitsLoss().apply(b, "x", "y"), "Target size");
    // The same rank but a different class count, found when the rows are read.
    Dataset<Row> c = xy(rand(random, 3, 5), rand(random, 3, 4));
    assertFails(() -> new BCEWithLogitsLoss().apply(c, "x", "y"),
        "Target size (4) must be the same as input size (5)");
    assertFails(() -> new BCEWithLogitsLoss("none").applyNone(c, "x", "y").collectAsList(),
        "Target size (4) must be the same as input size (5)");
  }

  /** test_bce_with_logits_gives_same_result_as_sigmoid_and_bce_loss. */
  @Test
  void bceWithLogitsGivesSameResultAsSigmoidAndBceLoss() {
    double[][] target = rand(random, 64, 4);
    double[][] output = plus(rand(random, 64, 4), -0.5);
    Dataset<Row> df = frame(new String[] {"x", "q", "y"}, output, sigmoid(output), target);

    double logits = new BCEWithLogitsLoss().apply(df, "x", "y");
    double probs = new BCELoss().apply(df, "q", "y");
    assertNear(probs, logits, "unweighted");
    assertNear(mean(refWithLogits(output, target, null, null)), logits, "reference");

    double[] weight = rand(random, 1, 4)[0];
    double wLogits = new BCEWithLogitsLoss(weight, null, null, "mean", null).apply(df, "x", "y");
    double wProbs = new BCELoss(weight, null, null, "mean").apply(df, "q", "y");
    assertNear(wProbs, wLogits, "weight (4,)");
    assertNear(mean(refWithLogits(output, target, expandRow(weight, 64), null)), wLogits,
        "weighted reference");

    // target zeros(4, 1), output filled with -100
    double[][] t2 = fill(4, 1, 0);
    double[][] o2 = fill(4, 1, -100);
    Dataset<Row> df2 = frame(new String[] {"x", "q", "y"}, o2, sigmoid(o2), t2);
    assertNear(new BCELoss().apply(df2, "q", "y"), new BCEWithLogitsLoss().apply(df2, "x", "y"),
        "output -100");
    double[][] noneLogits = arrays(new BCEWithLogitsLoss("none").applyNone(df2, "x", "y"), "loss");
    double[][] noneProbs = arrays(new BCELoss("none").applyNone(df2, "q", "y"), "loss");
    assertNear(noneProbs, noneLogits, "reduction none at -100");
    // PyTorch's formula cancels to 0 here ((1 - y) * x + softplus(-x) = -100 + 100 + tiny); the
    // true value, y = 0, is softplus(-100) = log1p(exp(-100)).
    for (double[] row : noneLogits) {
      assertNear(Math.log1p(Math.exp(-100)), row[0], "exact value at -100");
    }

    double[] w1 = rand(random, 1, 1)[0];
    assertNear(new BCELoss(w1, null, null, "mean").apply(df2, "q", "y"),
        new BCEWithLogitsLoss(w1, null, null, "mean", null).apply(df2, "x", "y"),
        "weight (1,) at -100");
  }

  /** test_bce_loss_input_range. */
  @Test
  void bceLossInputRange() {
    BCELoss bceloss = new BCELoss();
    double[][] target = rand(random, 25, 25);
    double[][] valid = rand(random, 25, 25);
    Dataset<Row> df = frame(new String[] {"valid", "neg", "pos", "y"},
        valid, plus(valid, -1.0), plus(valid, 1.0), target);
    double loss = bceloss.apply(df, "valid", "y");
    assertNear(mean(refProbabilities(valid, target, null)), loss, "valid input");
    assertFails(() -> bceloss.apply(df, "neg", "y"), "between 0 and 1");
    assertFails(() -> bceloss.apply(df, "pos", "y"), "between 0 and 1");
  }

  /** test_bce_with_logits_has_correct_grad_at_zero. */
  @Test
  void bceWithLogitsHasCorrectGradAtZero() {
    double[][] output = fill(3, 1, 0);
    double[][] target = fill(3, 1, 0);
    Dataset<Row> df = xy(output, target);
    BCEWithLogitsLoss loss = new BCEWithLogitsLoss("sum");
    assertNear(3 * Math.log(2), loss.apply(df, "x", "y"), "loss at zero");
    double[][] grad = arrays(df.withColumn("g",
        BceFunctions.bceWithLogitsGrad(functions.col("x"), functions.col("y"))), "g");
    for (double[] row : grad) {
      assertEquals(1, row.length);
      assertEquals(0.5, row[0]);
    }
  }

  /** test_bce_with_logits_broadcasts_weights. */
  @Test
  void bceWithLogitsBroadcastsWeights() {
    double[][] target = rand(random, 16, 4);
    double[][] output = plus(rand(random, 16, 4), -0.5);

    // weight (4,) against weight.expand(16, 4)
    double[] weight = rand(random, 1, 4)[0];
    Dataset<Row> df = frame(new String[] {"x", "y", "w"}, output, target, expandRow(weight, 16));
    double out1 = new BCEWithLogitsLoss(weight, null, null, "mean", null).apply(df, "x", "y");
    double out2 = new BCEWithLogitsLoss().apply(df, "x", "y", "w");
    assertEquals(out1, out2);
    assertNear(mean(refWithLogits(output, target, expandRow(weight, 16), null)), out1, "(4,)");

    // weight (16, 1), as a number per row and as a one-element array per row, against
    // weight.expand(16, 4)
    double[] perRow = new double[16];
    double[][] perRowArray = new double[16][];
    for (int i = 0; i < 16; i++) {
      perRow[i] = random.nextDouble();
      perRowArray[i] = new double[] {perRow[i]};
    }
    Dataset<Row> df2 = frame(new String[] {"x", "y", "w", "w1", "wx"},
        output, target, perRow, perRowArray, expandColumn(perRow, 4));
    BCEWithLogitsLoss plain = new BCEWithLogitsLoss();
    double rowOut1 = plain.apply(df2, "x", "y", "w");
    assertEquals(rowOut1, plain.apply(df2, "x", "y", "w1"));
    assertEquals(rowOut1, plain.apply(df2, "x", "y", "wx"));
    assertNear(mean(refWithLogits(output, target, expandColumn(perRow, 4), null)), rowOut1,
        "(16, 1)");
  }

  /** test_bce_with_logits_ones_in_pos_weights_are_the_same_as_none. */
  @Test
  void bceWithLogitsOnesInPosWeightsAreTheSameAsNone() {
    double[][] target = rand(random, 64, 4);
    double[][] output = plus(rand(random, 64, 4), -0.5);
    Dataset<Row> df = xy(output, target);
    double none = new BCEWithLogitsLoss().apply(df, "x", "y");
    // PyTorch's pos_weight is ones(64, 4); the Java API takes the class dimension, ones(4) or
    // ones(1); a per-row pos_weight goes through the Column API (broadcastsPosWeights).
    double ones = BCEWithLogitsLoss.builder().posWeight(1, 1, 1, 1).build().apply(df, "x", "y");
    double one = BCEWithLogitsLoss.builder().posWeight(1).build().apply(df, "x", "y");
    assertEquals(none, ones);
    assertEquals(none, one);
  }

  /** test_bce_with_logits_broadcasts_pos_weights. */
  @Test
  void bceWithLogitsBroadcastsPosWeights() {
    double[][] target = rand(random, 64, 4);
    double[][] output = plus(rand(random, 64, 4), -0.5);
    double[] posWeight = rand(random, 1, 4)[0];
    // pos_weight.expand(64, 4): the same array on every row, a per-row argument of the function
    Dataset<Row> df = frame(new String[] {"x", "y", "pw"}, output, target,
        expandRow(posWeight, 64));
    double out1 = BCEWithLogitsLoss.builder().posWeight(posWeight).build().apply(df, "x", "y");
    // pos_weight.expand(1, 4) has the same C values: a double[] of length 4 again.
    double out2 = new BCEWithLogitsLoss(null, null, null, "mean", posWeight.clone())
        .apply(df, "x", "y");
    double out3 = df.select(BceFunctions.bceWithLogitsLoss(functions.col("x"),
        functions.col("y"), null, functions.col("pw"), "mean")).first().getDouble(0);
    assertEquals(out1, out2);
    assertEquals(out1, out3);
    assertNear(mean(refWithLogits(output, target, null, posWeight)), out1, "reference");
    // A (1,) pos_weight broadcasts over all classes.
    double[] same = {posWeight[0]};
    double single = BCEWithLogitsLoss.builder().posWeight(same).build().apply(df, "x", "y");
    double expanded = BCEWithLogitsLoss.builder()
        .posWeight(same[0], same[0], same[0], same[0]).build().apply(df, "x", "y");
    assertEquals(expanded, single);
  }

  /** test_bce_with_logits_with_pos_weight_has_correct_grad_at_zero. */
  @Test
  void bceWithLogitsWithPosWeightHasCorrectGradAtZero() {
    double[][] output = fill(3, 1, 0);
    double[][] target = fill(3, 1, 0);
    double[] posWeight = {1};
    Dataset<Row> df = xy(output, target);
    BCEWithLogitsLoss loss = BCEWithLogitsLoss.builder()
        .posWeight(posWeight).reduction("sum").build();
    assertNear(3 * Math.log(2), loss.apply(df, "x", "y"), "loss at zero");
    double[][] grad = arrays(df.withColumn("g", BceFunctions.bceWithLogitsGrad(
        functions.col("x"), functions.col("y"), null, posWeight)), "g");
    for (double[] row : grad) {
      assertEquals(1, row.length);
      assertEquals(0.5, row[0]);
    }
  }

  /** test_bce_with_logits_stability. */
  @Test
  void bceWithLogitsStability() {
    double[][] output = {{0, -120}};
    double[][] target = {{0, 1}};
    double[] posWeight = {1, 1};
    Dataset<Row> df = xy(output, target);
    double out1 = new BCEWithLogitsLoss().apply(df, "x", "y");
    assertTrue(Double.isFinite(out1), "" + out1);
    double out2 = BCEWithLogitsLoss.builder().posWeight(posWeight).build().apply(df, "x", "y");
    assertTrue(Double.isFinite(out2), "" + out2);
    assertNear((Math.log(2) + 120) / 2, out1, "mean");
    assertEquals(out1, out2);
    for (double[] row : arrays(BCEWithLogitsLoss.builder().posWeight(posWeight).reduction("none")
        .build().applyNone(df, "x", "y"), "loss")) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), "" + v);
      }
    }
  }

  /** test_bce_loss_broadcasts_weights. */
  @Test
  void bceLossBroadcastsWeights() {
    double[][] target = rand(random, 16, 4);
    double[][] q = sigmoid(plus(rand(random, 16, 4), -0.5));

    double[] weight = rand(random, 1, 4)[0];
    Dataset<Row> df = frame(new String[] {"q", "y", "w"}, q, target, expandRow(weight, 16));
    double out1 = new BCELoss(weight, null, null, "mean").apply(df, "q", "y");
    double out2 = new BCELoss().apply(df, "q", "y", "w");
    assertEquals(out1, out2);
    assertNear(mean(refProbabilities(q, target, expandRow(weight, 16))), out1, "(4,)");

    double[] perRow = rand(random, 1, 16)[0];
    Dataset<Row> df2 = frame(new String[] {"q", "y", "w", "wx"},
        q, target, perRow, expandColumn(perRow, 4));
    double rowOut1 = new BCELoss().apply(df2, "q", "y", "w");
    assertEquals(rowOut1, new BCELoss().apply(df2, "q", "y", "wx"));
    assertNear(mean(refProbabilities(q, target, expandColumn(perRow, 4))), rowOut1, "(16, 1)");
    assertNear(sum(refProbabilities(q, target, expandColumn(perRow, 4))),
        new BCELoss("sum").apply(df2, "q", "y", "w"), "(16, 1) sum");
  }
}
