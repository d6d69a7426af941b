package io.sparkbce.api;

import static io.sparkbce.BceFunctions.bce;
import static io.sparkbce.BceFunctions.bceLoss;
import static io.sparkbce.BceFunctions.bceWithLogits;
import static io.sparkbce.BceFunctions.bceWithLogitsGrad;
import static io.sparkbce.BceFunctions.bceWithLogitsLoss;
import static io.sparkbce.BceFunctions.bceWithLogitsLossPerClass;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The Column API as a Java user writes it: {@code null} skips an optional argument without a cast
 * (it used to be ambiguous between the Column and the double[] overloads), and a weight or
 * pos_weight may be a constant {@code double[]}. Expected values from the reference formula.
 */
class ColumnApiTest {
  private static final double[][] X = {{-1.0, 2.0}, {0.5, -3.0}};
  private static final double[][] Y = {{0.0, 1.0}, {1.0, 1.0}};
  private static final double[][] Q = {{0.2, 0.9}, {0.6, 0.5}};
  private final SparkSession spark = TestSpark.session();

  private Dataset<Row> df() {
    return spark.sql("SELECT * FROM VALUES (array(-1D, 2D), array(0D, 1D), array(0.2D, 0.9D)),"
        + " (array(0.5D, -3D), array(1D, 1D), array(0.6D, 0.5D)) AS t(logits, labels, q)");
  }

  private static double sum(double[] w, double[] p) {
    double s = 0;
    for (int r = 0; r < X.length; r++) {
      for (int c = 0; c < 2; c++) {
        s += Reference.withLogits(X[r][c], Y[r][c], w[c], p[c]);
      }
    }
    return s;
  }

  @Test
  void nullSkipsOptionalArgumentsWithoutCasts() {
    Row r = df().agg(
        bceWithLogitsLoss(col("logits"), col("labels"), null, null, "sum"),
        bceWithLogitsLossPerClass(col("logits"), col("labels"), null, null, "sum"),
        bceLoss(col("q"), col("labels"), null, "sum")).first();
    double[] ones = {1, 1};
    assertTrue(Reference.near(sum(ones, ones), r.getDouble(0)), r.toString());
    List<Double> perClass = r.getList(1);
    assertEquals(2, perClass.size());
    double q = 0;
    for (int i = 0; i < 2; i++) {
      for (int c = 0; c < 2; c++) {
        q += Reference.probabilities(Q[i][c], Y[i][c], 1);
      }
    }
    assertTrue(Reference.near(q, r.getDouble(2)), r.toString());
    Row e = df().select(bceWithLogits(col("logits"), col("labels"), null, null),
        bceWithLogitsGrad(col("logits"), col("labels"), null, null),
        bce(col("q"), col("labels"), null)).first();
    assertTrue(Reference.near(Reference.withLogits(-1, 0, 1, 1), e.<Double>getList(0).get(0)));
    assertTrue(Reference.near(Reference.grad(-1, 0, 1, 1), e.<Double>getList(1).get(0)));
    assertTrue(Reference.near(Reference.probabilities(0.2, 0, 1), e.<Double>getList(2).get(0)));
  }

  @Test
  void constantArraysForWeightAndPosWeight() {
    double[] w = {0.5, 2.0};
    double[] p = {3.0, 1.5};
    Row r = df().agg(
        bceWithLogitsLoss(col("logits"), col("labels"), w, p, "sum"),
        bceWithLogitsLoss(col("logits"), col("labels"), null, p, "sum"),
        bceLoss(col("q"), col("labels"), w, "sum")).first();
    assertTrue(Reference.near(sum(w, p), r.getDouble(0)), r.toString());
    assertTrue(Reference.near(sum(new double[] {1, 1}, p), r.getDouble(1)), r.toString());
    double q = 0;
    for (int i = 0; i < 2; i++) {
      for (int c = 0; c < 2; c++) {
        q += Reference.probabilities(Q[i][c], Y[i][c], w[c]);
      }
    }
    assertTrue(Reference.near(q, r.getDouble(2)), r.toString());
  }

  @Test
  void otherObjectsAreRejectedNamingTheArgument() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> bceWithLogitsLoss(col("logits"), col("labels"), "w", null, "sum"));
    assertEquals("weight is a Column, a double[] or null, got String", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> bceWithLogits(col("logits"), col("labels"), null, List.of(1.0)));
    assertTrue(e.getMessage().startsWith("pos_weight is a Column, a double[] or null"),
        e.getMessage());
  }
}
