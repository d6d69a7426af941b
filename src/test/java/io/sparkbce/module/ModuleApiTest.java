package io.sparkbce.module;

import static io.sparkbce.module.Frames.arrays;
import static io.sparkbce.module.Frames.assertFails;
import static io.sparkbce.module.Frames.assertNear;
import static io.sparkbce.module.Frames.frame;
import static io.sparkbce.module.Frames.numbers;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BCELoss;
import io.sparkbce.BCEWithLogitsLoss;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The module API beyond PyTorch's tests: shapes, weight forms, result columns, misuse. */
class ModuleApiTest {
  private final SparkSession spark = TestSpark.session();

  /** (N,) logits: a number per row; pos_weight of size 1; a weight of size 1 broadcasts. */
  @Test
  void singleLabelRows() {
    double[] x = {-2, -0.5, 0, 1.5, 3};
    double[] y = {0, 1, 1, 0, 1};
    double[] w = {0.5, 2, 1, 1, 3};
    Dataset<Row> df = frame(new String[] {"x", "y", "w"}, x, y, w);
    double sum = 0;
    double weighted = 0;
    double[] none = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      sum += Reference.withLogits(x[i], y[i], 2, 3);
      weighted += Reference.withLogits(x[i], y[i], w[i], 3);
      none[i] = Reference.withLogits(x[i], y[i], 2, 3);
    }
    BCEWithLogitsLoss.Builder b = BCEWithLogitsLoss.builder().weight(2).posWeight(3);
    assertNear(sum / x.length, b.build().apply(df, "x", "y"), "mean");
    assertNear(sum, b.reduction("sum").build().apply(df, "x", "y"), "sum");
    double[] rows = numbers(b.reduction("none").build().applyNone(df, "x", "y"), "loss");
    for (int i = 0; i < x.length; i++) {
      assertNear(none[i], rows[i], "row " + i);
    }
    assertNear(weighted / x.length,
        BCEWithLogitsLoss.builder().posWeight(3).build().apply(df, "x", "y", "w"), "row weights");
    // A (C,) weight does not broadcast onto one number per row.
    assertFails(() -> BCEWithLogitsLoss.builder().weight(1, 2).build().apply(df, "x", "y"),
        "the size of weight (2) does not broadcast to input 'x'");
  }

  /** (N, *, C) input: a (C,) weight and pos_weight broadcast onto every innermost vector. */
  @Test
  void nestedArrays() {
    double[][][] x = {{{1, -1, 0.5}, {2, 0, -3}}, {{0.25, 4, -0.5}, {-2, 1, 1}}};
    double[][][] y = {{{1, 0, 1}, {0, 1, 0}}, {{1, 1, 0}, {0.5, 0, 1}}};
    double[] w = {1, 2, 3};
    double[] p = {0.5, 1, 4};
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("x", DataTypes.createArrayType(Frames.ARRAY))
        .add("y", DataTypes.createArrayType(Frames.ARRAY));
    List<Row> rows = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      List<List<Double>> xi = new ArrayList<>();
      List<List<Double>> yi = new ArrayList<>();
      for (int k = 0; k < x[i].length; k++) {
        xi.add(Frames.list(x[i][k]));
        yi.add(Frames.list(y[i][k]));
        for (int c = 0; c < 3; c++) {
          sum += Reference.withLogits(x[i][k][c], y[i][k][c], w[c], p[c]);
        }
      }
      rows.add(RowFactory.create(i, xi, yi));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    BCEWithLogitsLoss loss = new BCEWithLogitsLoss(w, null, null, "mean", p);
    assertNear(sum / 12, loss.apply(df, "x", "y"), "mean over 12 elements");
    assertNear(sum, new BCEWithLogitsLoss(w, false, null, null, p).apply(df, "x", "y"), "sum");
  }

  /** MLlib vectors as logits, with a (C,) weight. */
  @Test
  void vectorInput() {
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("x", new VectorUDT()).add("y", Frames.ARRAY);
    List<Row> rows = List.of(
        RowFactory.create(0, Vectors.dense(0.5, -1), Frames.list(new double[] {1, 0})),
        RowFactory.create(1, Vectors.sparse(2, new int[] {1}, new double[] {2}),
            Frames.list(new double[] {0, 1})));
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    double expected = Reference.withLogits(0.5, 1, 1, 1) + Reference.withLogits(-1, 0, 2, 1)
        + Reference.withLogits(0, 0, 1, 1) + Reference.withLogits(2, 1, 2, 1);
    assertNear(expected, BCEWithLogitsLoss.builder().weight(1, 2).reduction("sum").build()
        .apply(df, "x", "y"), "vector logits");
  }

  @Test
  void lossColumnNameAndShape() {
    Dataset<Row> df = frame(new String[] {"q", "y"},
        new double[][] {{0.25, 0.5}, {0.9, 0.1}}, new double[][] {{1, 0}, {0, 0}});
    BCELoss loss = BCELoss.builder().reduction("none").weight(2, 1).lossCol("bce").build();
    Dataset<Row> out = loss.applyNone(df, "q", "y");
    assertEquals(List.of("id", "q", "y", "bce"), Arrays.asList(out.columns()));
    double[][] got = arrays(out, "bce");
    assertNear(new double[][] {
        {Reference.probabilities(0.25, 1, 2), Reference.probabilities(0.5, 0, 1)},
        {Reference.probabilities(0.9, 0, 2), Reference.probabilities(0.1, 0, 1)}}, got, "none");
    assertEquals("bce", loss.lossCol());
    assertArrayEquals(new double[] {2, 1}, loss.weight());
  }

  @Test
  void emptyInputMeanIsNaNSumIsZero() {
    Dataset<Row> df = frame(new String[] {"x", "y"}, new double[0][], new double[0][]);
    assertTrue(Double.isNaN(new BCEWithLogitsLoss().apply(df, "x", "y")));
    assertEquals(0.0, new BCEWithLogitsLoss("sum").apply(df, "x", "y"));
    assertTrue(Double.isNaN(new BCELoss().apply(df, "x", "y")));
  }

  @Test
  void misuse() {
    Dataset<Row> df = frame(new String[] {"x", "y", "w"},
        new double[][] {{1, 2}}, new double[][] {{1, 0}}, new double[] {2});
    assertFails(() -> BCEWithLogitsLoss.builder().weight(1, 2).build().apply(df, "x", "y", "w"),
        "was built with a weight of size (2); pass no weight column as well");
    assertFails(() -> new BCEWithLogitsLoss("none").apply(df, "x", "y"),
        "reduction='none'", "applyNone");
    assertFails(() -> new BCELoss().applyNone(df, "x", "y"), "reduction='mean'", "apply(");
    assertFails(() -> new BCEWithLogitsLoss().apply(df, "nope", "y"), "nope");
    assertFails(() -> BCEWithLogitsLoss.builder().posWeight(1, 2, 3).build().apply(df, "x", "y"),
        "pos_weight size (3) must match the number of classes (2)");
    assertFails(() -> BCEWithLogitsLoss.builder().weight(1, 2, 3).build().apply(df, "x", "y"),
        "weight size (3) must match input size (2)");
    assertThrows(IllegalArgumentException.class, () -> BCELoss.builder().weight().build());
    assertThrows(IllegalArgumentException.class,
        () -> BCEWithLogitsLoss.builder().lossCol("").build());
  }

  @Test
  void argumentsAreCopied() {
    double[] w = {1, 2};
    double[] p = {3, 4};
    BCEWithLogitsLoss loss = new BCEWithLogitsLoss(w, null, null, "sum", p);
    w[0] = 100;
    p[0] = 100;
    assertArrayEquals(new double[] {1, 2}, loss.weight());
    assertArrayEquals(new double[] {3, 4}, loss.posWeight());
    assertEquals("BCEWithLogitsLoss(reduction=sum, weight=[1.0, 2.0], pos_weight=[3.0, 4.0])",
        loss.toString());
  }
}
