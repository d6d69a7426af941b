package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BceFunctions;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The aggregates: reductions, NULL skipping, grouping, pos_weight sources, the doc examples. */
class AggregatesTest {
  private final SparkSession spark = TestSpark.session();

  private double scalar(String sql) {
    return spark.sql(sql).first().getDouble(0);
  }

  @Test
  void documentationExample64ClassesBatch10() {
    // 64 classes, batch 10, every logit 1.5, every target 1, pos_weight all ones.
    double expected = 0.2014132779827524;
    double mean = scalar("SELECT bce_with_logits_loss(x, y, NULL, array_repeat(1D, 64))"
        + " FROM (SELECT array_repeat(1.5D, 64) AS x, array_repeat(1D, 64) AS y"
        + " FROM range(10))");
    assertEquals(expected, mean, 1e-14 * expected);
    assertEquals(-Math.log(1 / (1 + Math.exp(-1.5))), mean, 1e-14);
  }

  @Test
  void documentationExamplePosWeightThree() {
    List<Object> pw = list("SELECT bce_pos_weight(y) FROM (SELECT IF(id < 100, 1D, 0D) AS y"
        + " FROM range(400))");
    assertEquals(List.of(3.0), pw);
    List<Object> multi = list("SELECT bce_pos_weight(array(IF(id < 100, 1, 0), IF(id < 200, 1,"
        + " 0))) FROM range(400)");
    assertEquals(List.of(3.0, 1.0), multi);
  }

  @Test
  void posWeightOfAClassWithoutPositivesIsInfiniteAndStillGivesFiniteLossForNegatives() {
    List<Object> pw = list("SELECT bce_pos_weight(array(1D, 0D)) FROM range(3)");
    assertEquals(List.of(0.0, Double.POSITIVE_INFINITY), pw);
    double loss = scalar("SELECT bce_with_logits_loss(array(0.5D, 0.5D), array(1D, 0D), NULL,"
        + " (SELECT bce_pos_weight(array(1D, 0D)) FROM range(3)), 'sum')");
    assertTrue(Reference.near(loss, Reference.withLogits(0.5, 0, 1, 1)), "" + loss);
  }

  @Test
  void posWeightFromAScalarSubquery() {
    spark.sql("SELECT array(IF(id % 4 = 0, 1D, 0D), IF(id % 2 = 0, 1D, 0D)) AS y,"
        + " array(id / 10D, -id / 20D) AS x FROM range(40)").createOrReplaceTempView("pw_data");
    double viaSubquery = scalar("SELECT bce_with_logits_loss(x, y, NULL,"
        + " (SELECT bce_pos_weight(y) FROM pw_data)) FROM pw_data");
    double viaLiteral = scalar("SELECT bce_with_logits_loss(x, y, NULL, array(3D, 1D))"
        + " FROM pw_data");
    assertEquals(viaLiteral, viaSubquery);
    double expected = 0;
    for (int id = 0; id < 40; id++) {
      expected += Reference.withLogits(id / 10.0, id % 4 == 0 ? 1 : 0, 1, 3)
          + Reference.withLogits(-id / 20.0, id % 2 == 0 ? 1 : 0, 1, 1);
    }
    assertTrue(Reference.near(viaLiteral, expected / 80), viaLiteral + " vs " + expected / 80);
  }

  @Test
  void reductionsAndNullSkipping() {
    spark.sql("SELECT * FROM VALUES (0.5D, 1D, 2D), (-1D, 0D, 0.5D), (NULL, 1D, 1D),"
        + " (2D, NULL, 1D), (3D, 1D, NULL) AS t(x, y, w)").createOrReplaceTempView("red");
    double l1 = Reference.withLogits(0.5, 1, 2, 1);
    double l2 = Reference.withLogits(-1, 0, 0.5, 1);
    assertTrue(Reference.near(scalar("SELECT bce_with_logits_loss(x, y, w, NULL, 'sum') FROM red"),
        l1 + l2));
    assertTrue(Reference.near(scalar("SELECT bce_with_logits_loss(x, y, w) FROM red"),
        (l1 + l2) / 2));
    assertTrue(Reference.near(
        scalar("SELECT bce_with_logits_loss(x, y, w, NULL, 'Weighted_Mean') FROM red"),
        (l1 + l2) / 2.5));
    assertTrue(spark.sql("SELECT bce_with_logits_loss(x, y) FROM red WHERE x > 100").first()
        .isNullAt(0), "mean over nothing is NULL");
    assertEquals(0.0, scalar("SELECT bce_with_logits_loss(x, y, NULL, NULL, 'sum') FROM red"
        + " WHERE x > 100"));
    // NULL elements inside arrays are skipped and not counted.
    double arrMean = scalar("SELECT bce_with_logits_loss(x, y) FROM VALUES"
        + " (array(0.5D, NULL), array(1D, 1D)), (array(-1D, 2D), array(0D, NULL)) AS t(x, y)");
    assertTrue(Reference.near(arrMean,
        (Reference.withLogits(0.5, 1, 1, 1) + Reference.withLogits(-1, 0, 1, 1)) / 2));
  }

  @Test
  void groupedAndPerClass() {
    Random r = new Random(7);
    List<Row> rows = new ArrayList<>();
    double[][] sums = new double[3][4];
    int[] counts = new int[3];
    for (int i = 0; i < 300; i++) {
      int g = r.nextInt(3);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        double xv = r.nextGaussian() * 3;
        double yv = r.nextBoolean() ? 1 : 0;
        x.add(xv);
        y.add(yv);
        sums[g][c] += Reference.withLogits(xv, yv, 1, c + 1);
      }
      counts[g]++;
      rows.add(RowFactory.create(g, x, y));
    }
    StructType schema = new StructType().add("g", DataTypes.IntegerType)
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("y", DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(3);
    double[] pw = {1, 2, 3, 4};
    Column x = functions.col("x");
    Column y = functions.col("y");
    List<Row> out = df.groupBy("g")
        .agg(BceFunctions.bceWithLogitsLossPerClass(x, y, null, pw, "mean").as("pc"),
            BceFunctions.bceWithLogitsLoss(x, y, null, pw, "sum").as("s"))
        .orderBy("g").collectAsList();
    assertEquals(3, out.size());
    for (Row row : out) {
      int g = row.getInt(0);
      List<?> pc = (List<?>) Rows.toJava(row.get(1));
      double total = 0;
      for (int c = 0; c < 4; c++) {
        assertTrue(Reference.near((Double) pc.get(c), sums[g][c] / counts[g]),
            "group " + g + " class " + c);
        total += sums[g][c];
      }
      assertTrue(Reference.near(row.getDouble(2), total), "group " + g);
    }
  }

  @Test
  void sumIsCorrectlyRoundedAndIndependentOfPartitioning() {
    // Values spanning 30 orders of magnitude: a naive double sum depends on the order.
    Random r = new Random(11);
    List<Row> rows = new ArrayList<>();
    BigDecimal exact = BigDecimal.ZERO;
    for (int i = 0; i < 2000; i++) {
      double w = Math.pow(10, r.nextInt(30) - 15) * (r.nextBoolean() ? 1 : -1);
      rows.add(RowFactory.create(0.0, 0.0, w));
      exact = exact.add(new BigDecimal(Reference.withLogits(0.0, 0.0, 1, 1)).multiply(
          new BigDecimal(w)));
    }
    StructType schema = new StructType().add("x", DataTypes.DoubleType)
        .add("y", DataTypes.DoubleType).add("w", DataTypes.DoubleType);
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    double[] results = new double[4];
    int[] partitions = {1, 3, 7, 16};
    for (int k = 0; k < partitions.length; k++) {
      results[k] = df.repartition(partitions[k]).select(BceFunctions.bceWithLogitsLoss(
          functions.col("x"), functions.col("y"), functions.col("w"), (double[]) null, "sum"))
          .first().getDouble(0);
    }
    for (int k = 1; k < results.length; k++) {
      assertEquals(Double.doubleToRawLongBits(results[0]), Double.doubleToRawLongBits(results[k]),
          "bits with " + partitions[k] + " partitions");
    }
    // Each element loss is w * log(2) rounded once; their exact sum rounds to the result.
    BigDecimal exactOfRounded = BigDecimal.ZERO;
    for (Row row : rows) {
      exactOfRounded = exactOfRounded.add(new BigDecimal(
          Reference.withLogits(0.0, 0.0, row.getDouble(2), 1)));
    }
    assertEquals(exactOfRounded.round(MathContext.DECIMAL128).doubleValue(), results[0]);
  }

  @Test
  void largePosWeightGoesThroughABroadcastAndMatchesTheLiteralPath() {
    int classes = PosWeightColumn.BROADCAST_FROM + 10;
    double[] pw = new double[classes];
    for (int c = 0; c < classes; c++) {
      pw[c] = 1 + (c % 7) / 2.0;
    }
    Dataset<Row> df = spark.sql("SELECT transform(sequence(1, " + classes + "), c -> (c % 13 - 6)"
        + " / 3D + id) AS x, transform(sequence(1, " + classes + "), c -> CAST((c + id) % 2 AS"
        + " DOUBLE)) AS y FROM range(4)").repartition(2);
    Column loss = BceFunctions.bceWithLogitsLossPerClass(
        functions.col("x"), functions.col("y"), null, pw, "sum");
    String plan = df.select(loss).queryExecution().optimizedPlan().toString();
    assertTrue(plan.contains("broadcast_pos_weight"), "broadcast stays in the plan: " + plan);
    List<?> perClass = (List<?>) Rows.toJava(df.select(loss).first().get(0));
    assertEquals(classes, perClass.size());
    for (int c = 0; c < classes; c += 997) {
      double expected = 0;
      for (int id = 0; id < 4; id++) {
        double x = ((c + 1) % 13 - 6) / 3.0 + id;
        double y = (c + 1 + id) % 2;
        expected += Reference.withLogits(x, y, 1, pw[c]);
      }
      assertTrue(Reference.near((Double) perClass.get(c), expected), "class " + c);
    }
    double[] small = new double[classes];
    System.arraycopy(pw, 0, small, 0, classes);
    df.createOrReplaceTempView("wide");
    String literal = GoldenVectorsTest.sqlArray(pw);
    List<?> viaSql = (List<?>) Rows.toJava(spark.sql("SELECT bce_with_logits_loss_per_class(x, y,"
        + " NULL, " + literal + ", 'sum') FROM wide").first().get(0));
    assertArrayEquals(perClass.toArray(), viaSql.toArray());
  }

  private List<Object> list(String sql) {
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) Rows.toJava(spark.sql(sql).first().get(0));
    return l;
  }
}
