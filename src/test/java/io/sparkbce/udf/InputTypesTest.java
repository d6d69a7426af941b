package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BceFunctions;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every input type of SPEC §2 gives the loss of its values read as doubles. */
class InputTypesTest {
  private final SparkSession spark = TestSpark.session();

  private double scalar(String sql) {
    Row r = spark.sql(sql).collectAsList().get(0);
    assertTrue(!r.isNullAt(0), sql + " gave NULL");
    return r.getDouble(0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"DOUBLE", "FLOAT", "DECIMAL(10,4)", "INT", "BIGINT", "SMALLINT", "TINYINT"})
  void numericInputTypes(String type) {
    double x = type.startsWith("DEC") || type.contains("FLOAT") || type.equals("DOUBLE") ? 1.5 : 2;
    double loss = scalar("SELECT bce_with_logits(CAST(" + x + " AS " + type + "), CAST(1 AS "
        + type + "))");
    assertTrue(Reference.near(loss, Reference.withLogits(x, 1, 1, 1)), type + ": " + loss);
    double mean = scalar("SELECT bce_with_logits_loss(CAST(v AS " + type + "), CAST(0 AS " + type
        + ")) FROM VALUES (1), (2), (3) AS t(v)");
    double expected = (Reference.withLogits(1, 0, 1, 1) + Reference.withLogits(2, 0, 1, 1)
        + Reference.withLogits(3, 0, 1, 1)) / 3;
    assertTrue(Reference.near(mean, expected), type + ": " + mean + " vs " + expected);
  }

  @Test
  void booleanTargets() {
    double t = scalar("SELECT bce_with_logits(0.25D, true)");
    double f = scalar("SELECT bce_with_logits(0.25D, false)");
    assertTrue(Reference.near(t, Reference.withLogits(0.25, 1, 1, 1)));
    assertTrue(Reference.near(f, Reference.withLogits(0.25, 0, 1, 1)));
    List<Object> arr = list("SELECT bce_with_logits(array(0.25D, -1D), array(true, false))");
    assertTrue(Reference.near((Double) arr.get(0), Reference.withLogits(0.25, 1, 1, 1)));
    assertTrue(Reference.near((Double) arr.get(1), Reference.withLogits(-1, 0, 1, 1)));
    assertEquals(3.0, scalar(
        "SELECT bce_pos_weight(l)[0] FROM VALUES (true), (false), (false), (false) AS t(l)"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLOAT", "DOUBLE", "INT", "DECIMAL(6,2)"})
  void arraysOfEachElementType(String type) {
    List<Object> out = list("SELECT bce_with_logits(CAST(array(1, -2, 3) AS ARRAY<" + type
        + ">), CAST(array(1, 0, 1) AS ARRAY<" + type + ">), NULL, array(2D, 3D, 4D))");
    double[] x = {1, -2, 3};
    double[] y = {1, 0, 1};
    double[] p = {2, 3, 4};
    for (int i = 0; i < 3; i++) {
      assertTrue(Reference.near((Double) out.get(i), Reference.withLogits(x[i], y[i], 1, p[i])),
          type + " element " + i);
    }
  }

  @Test
  void nestedArraysAreShapeNStarC() {
    // (N=1, H=2, C=2): pos_weight runs along the innermost (class) dimension, the weight per row.
    List<Object> out = list("SELECT bce_with_logits(array(array(1D, 2D), array(3D, 4D)),"
        + " array(array(1D, 0D), array(0D, 1D)), 0.5D, array(2D, 3D))");
    List<?> first = (List<?>) out.get(0);
    List<?> second = (List<?>) out.get(1);
    assertTrue(Reference.near((Double) first.get(0), Reference.withLogits(1, 1, 0.5, 2)));
    assertTrue(Reference.near((Double) first.get(1), Reference.withLogits(2, 0, 0.5, 3)));
    assertTrue(Reference.near((Double) second.get(0), Reference.withLogits(3, 0, 0.5, 2)));
    assertTrue(Reference.near((Double) second.get(1), Reference.withLogits(4, 1, 0.5, 3)));
    double sum = scalar("SELECT bce_with_logits_loss(array(array(1D, 2D), array(3D, 4D)),"
        + " array(array(1D, 0D), array(0D, 1D)), 0.5D, array(2D, 3D), 'sum')");
    double expected = Reference.withLogits(1, 1, 0.5, 2) + Reference.withLogits(2, 0, 0.5, 3)
        + Reference.withLogits(3, 0, 0.5, 2) + Reference.withLogits(4, 1, 0.5, 3);
    assertTrue(Reference.near(sum, expected));
  }

  @Test
  void weightOfLowerRankBroadcastsOverLeadingDimensions() {
    // A class weight (C) on (H, C) rows applies to every h, as PyTorch broadcasts.
    List<Object> out = list("SELECT bce_with_logits(array(array(1D, 2D), array(3D, 4D)),"
        + " array(array(1D, 0D), array(0D, 1D)), array(0.5D, 2D))");
    assertTrue(Reference.near((Double) ((List<?>) out.get(1)).get(1),
        Reference.withLogits(4, 1, 2, 1)));
    assertTrue(Reference.near((Double) ((List<?>) out.get(1)).get(0),
        Reference.withLogits(3, 0, 0.5, 1)));
  }

  @Test
  void mllibDenseAndSparseVectors() {
    StructType schema = new StructType()
        .add("x", new VectorUDT())
        .add("y", new VectorUDT())
        .add("ya", DataTypes.createArrayType(DataTypes.DoubleType));
    Vector dense = Vectors.dense(0.5, -1.0, 0.0, 2.0);
    Vector sparseX = Vectors.sparse(4, new int[] {0, 3}, new double[] {0.5, 2.0});
    Vector sparseY = Vectors.sparse(4, new int[] {1}, new double[] {1.0});
    List<Row> rows = List.of(
        RowFactory.create(dense, sparseY, Arrays.asList(0.0, 1.0, 0.0, 0.0)),
        RowFactory.create(sparseX, sparseY, Arrays.asList(0.0, 1.0, 0.0, 0.0)));
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    List<Row> out = df.select(
        BceFunctions.bceWithLogits(functions.col("x"), functions.col("y")),
        BceFunctions.bceWithLogits(functions.col("x"), functions.col("ya"))).collectAsList();
    double[][] xs = {{0.5, -1.0, 0.0, 2.0}, {0.5, 0.0, 0.0, 2.0}};
    double[] y = {0, 1, 0, 0};
    for (int r = 0; r < 2; r++) {
      for (int col = 0; col < 2; col++) {
        List<?> l = (List<?>) Rows.toJava(out.get(r).get(col));
        assertEquals(4, l.size());
        for (int i = 0; i < 4; i++) {
          assertTrue(Reference.near((Double) l.get(i), Reference.withLogits(xs[r][i], y[i], 1, 1)),
              "row " + r + " col " + col + " element " + i);
        }
      }
    }
    Row perClass = df.select(BceFunctions.bceWithLogitsLossPerClass(
        functions.col("x"), functions.col("y"), null, (double[]) null, "sum")).first();
    List<?> pc = (List<?>) Rows.toJava(perClass.get(0));
    assertTrue(Reference.near((Double) pc.get(1),
        Reference.withLogits(-1, 1, 1, 1) + Reference.withLogits(0, 1, 1, 1)));
  }

  @Test
  void nullLiteralSkipsAnArgumentButATypedNullIsAValue() {
    double skipped = scalar("SELECT bce_with_logits(1D, 1D, NULL, 2D)");
    assertTrue(Reference.near(skipped, Reference.withLogits(1, 1, 1, 2)));
    Row r = spark.sql("SELECT bce_with_logits(1D, 1D, CAST(NULL AS DOUBLE))").first();
    assertTrue(r.isNullAt(0), "a NULL row weight gives NULL");
  }

  @Test
  void nullInputTargetOrElementGivesNull() {
    assertTrue(spark.sql("SELECT bce_with_logits(CAST(NULL AS DOUBLE), 1D)").first().isNullAt(0));
    assertTrue(spark.sql("SELECT bce_with_logits(1D, CAST(NULL AS DOUBLE))").first().isNullAt(0));
    assertTrue(spark.sql("SELECT bce(CAST(NULL AS DOUBLE), 1D)").first().isNullAt(0));
    List<Object> l = list("SELECT bce_with_logits(array(1D, NULL, 3D), array(1D, 1D, NULL))");
    assertTrue(Reference.near((Double) l.get(0), Reference.withLogits(1, 1, 1, 1)));
    assertNull(l.get(1));
    assertNull(l.get(2));
    List<Object> nested = list(
        "SELECT bce_with_logits(array(array(1D), NULL), array(array(1D), array(0D)))");
    assertNull(nested.get(1));
  }

  @Test
  void nanPropagates() {
    assertTrue(Double.isNaN(scalar("SELECT bce_with_logits(CAST('NaN' AS DOUBLE), 1D)")));
    assertTrue(Double.isNaN(scalar("SELECT bce_with_logits_loss(x, 1D) FROM VALUES (1D),"
        + " (CAST('NaN' AS DOUBLE)) AS t(x)")));
  }

  private List<Object> list(String sql) {
    Row r = spark.sql(sql).collectAsList().get(0);
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) Rows.toJava(r.get(0));
    return l;
  }
}
