package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * {@code bce_normalized_entropy} and {@code bce_calibration} against references written here
 * (BigDecimal sums, the JDK's exp and log, PyTorch's loss formula), hand-computed values, NULL and
 * NaN rules, and the same bits under every partitioning.
 */
class QualityMetricsTest {
  private static final MathContext MC = MathContext.DECIMAL128;
  private static final double[] POS_WEIGHT = {2.0, 0.5, 1.0};
  private final SparkSession spark = TestSpark.session();

  /** Three classes; soft labels too; a row weight; a few NULL rows and NULL elements. */
  private record Sample(double[] x, double[] y, Double w) {}

  private static List<Sample> samples(int n, long seed) {
    Random r = new Random(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = new double[3];
      double[] y = new double[3];
      for (int c = 0; c < 3; c++) {
        y[c] = r.nextDouble() < 0.15 + 0.25 * c ? 1 : (r.nextDouble() < 0.05 ? 0.5 : 0);
        x[c] = Math.round((r.nextGaussian() + 4 * (y[c] - 0.5)) * 1000) / 1000.0;
      }
      out.add(new Sample(x, y, i % 11 == 0 ? null : 0.5 + (i % 4) * 0.25));
    }
    return out;
  }

  private Dataset<Row> frame(List<Sample> samples) {
    StructType schema = new StructType()
        .add("x", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("y", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("w", DataTypes.DoubleType);
    List<Row> rows = samples.stream().map(s -> RowFactory.create(box(s.x), box(s.y), s.w))
        .toList();
    return spark.createDataFrame(rows, schema);
  }

  private static Double[] box(double[] a) {
    Double[] b = new Double[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = a[i];
    }
    return b;
  }

  private static BigDecimal big(double v) {
    return new BigDecimal(v);
  }

  /** {loss sum, baseline sum, sum w*sigmoid(x), sum w*y} over rows with a weight. */
  private static double[] reference(List<Sample> samples, double[] posWeight) {
    BigDecimal loss = BigDecimal.ZERO;
    BigDecimal predicted = BigDecimal.ZERO;
    BigDecimal[] pos = zeros();
    BigDecimal[] weightedPos = zeros();
    BigDecimal[] neg = zeros();
    BigDecimal[] weights = zeros();
    for (Sample s : samples) {
      if (s.w == null) {
        continue;
      }
      for (int c = 0; c < 3; c++) {
        double p = posWeight == null ? 1 : posWeight[c];
        loss = loss.add(big(Reference.withLogits(s.x[c], s.y[c], s.w, p)));
        predicted = predicted.add(big(s.w).multiply(big(1 / (1 + Math.exp(-s.x[c])))));
        pos[c] = pos[c].add(big(s.w).multiply(big(s.y[c])));
        weightedPos[c] = weightedPos[c].add(big(s.w).multiply(big(p)).multiply(big(s.y[c])));
        neg[c] = neg[c].add(big(s.w).multiply(big(1 - s.y[c])));
        weights[c] = weights[c].add(big(s.w));
      }
    }
    double baseline = 0;
    BigDecimal positives = BigDecimal.ZERO;
    for (int c = 0; c < 3; c++) {
      double rate = pos[c].divide(weights[c], MC).doubleValue();
      baseline += -weightedPos[c].doubleValue() * Math.log(rate)
          - neg[c].doubleValue() * Math.log1p(-rate);
      positives = positives.add(pos[c]);
    }
    return new double[] {loss.doubleValue(), baseline, predicted.doubleValue(),
        positives.doubleValue()};
  }

  private static BigDecimal[] zeros() {
    return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO};
  }

  private static void assertNear(double expected, double actual, double relative, String what) {
    assertTrue(Math.abs(expected - actual) <= relative * Math.abs(expected),
        () -> what + ": expected " + expected + " but got " + actual);
  }

  private Row metrics(Dataset<Row> df, String posWeight) {
    df.createOrReplaceTempView("quality_t");
    return spark.sql("SELECT bce_normalized_entropy(x, y, w" + posWeight + "),"
        + " bce_calibration(x, y, w) FROM quality_t").first();
  }

  @Test
  void agreeWithAnIndependentReferenceWithAndWithoutPosWeight() {
    List<Sample> samples = samples(400, 5);
    double[] plain = reference(samples, null);
    Row r = metrics(frame(samples), "");
    assertNear(plain[0] / plain[1], r.getDouble(0), 1e-12, "normalized entropy");
    assertNear(plain[2] / plain[3], r.getDouble(1), 1e-12, "calibration");
    assertTrue(r.getDouble(0) < 1, "the logits carry signal: NE below 1, got " + r.getDouble(0));

    double[] weighted = reference(samples, POS_WEIGHT);
    Row p = metrics(frame(samples), ", array(2D, 0.5D, 1D)");
    assertNear(weighted[0] / weighted[1], p.getDouble(0), 1e-12, "NE with pos_weight");
    assertEquals(r.getDouble(1), p.getDouble(1), "calibration takes no pos_weight");
  }

  @Test
  void handComputedValues() {
    // predicting the positive rate (sigmoid(0) = 0.5 = rate) is NE 1 and calibrated
    assertEquals(1.0, one("SELECT bce_normalized_entropy(x, y) FROM VALUES (0D, 1D), (0D, 0D)"
        + " AS t(x, y)"));
    assertEquals(1.0, one("SELECT bce_calibration(x, y) FROM VALUES (0D, 1D), (0D, 0D)"
        + " AS t(x, y)"));
    // log(1 + e^-2) / log(2), to 50 digits: 0.18311841208159600466...
    assertEquals(0.18311841208159600466, one("SELECT bce_normalized_entropy(x, y) FROM VALUES"
        + " (2D, 1D), (-2D, 0D) AS t(x, y)"), 2e-17);
    // sigmoid(0) * (1 + 3) / 1
    assertEquals(2.0, one("SELECT bce_calibration(x, y, w) FROM VALUES (0D, 1D, 1D),"
        + " (0D, 0D, 3D) AS t(x, y, w)"));
    // pos_weight 3 on the one positive: loss 3 ln2 + ln2 over 3 ln2 + ln2 = 1 at rate 1/2
    assertEquals(1.0, one("SELECT bce_normalized_entropy(x, y, NULL, 3D) FROM VALUES (0D, 1D),"
        + " (0D, 0D) AS t(x, y)"));
  }

  private Double one(String sql) {
    Row r = spark.sql(sql).first();
    return r.isNullAt(0) ? null : r.getDouble(0);
  }

  @Test
  void nullsAreSkippedEmptyGroupsAreNullNanPropagates() {
    assertEquals(1.0, one("SELECT bce_normalized_entropy(x, y, w) FROM VALUES (0D, 1D, 1D),"
        + " (0D, 0D, 1D), (NULL, 1D, 1D), (5D, NULL, 1D), (5D, 1D, NULL) AS t(x, y, w)"));
    assertNull(one("SELECT bce_normalized_entropy(x, y) FROM VALUES (0D, 1D) AS t(x, y)"
        + " WHERE x > 1"));
    assertNull(one("SELECT bce_calibration(x, y) FROM VALUES (CAST(NULL AS DOUBLE), 1D)"
        + " AS t(x, y)"));
    assertTrue(one("SELECT bce_normalized_entropy(x, y) FROM VALUES (CAST('NaN' AS DOUBLE), 1D),"
        + " (0D, 0D) AS t(x, y)").isNaN());
    assertTrue(one("SELECT bce_calibration(x, y) FROM VALUES (0D, CAST('NaN' AS DOUBLE)),"
        + " (0D, 0D) AS t(x, y)").isNaN());
    // no positives: calibration is sum(sigmoid) / 0 (IEEE), NE is a loss over a zero baseline
    assertEquals(Double.POSITIVE_INFINITY, one("SELECT bce_calibration(x, y) FROM VALUES"
        + " (0D, 0D) AS t(x, y)"));
    assertEquals(Double.POSITIVE_INFINITY, one("SELECT bce_normalized_entropy(x, y) FROM VALUES"
        + " (0D, 0D) AS t(x, y)"));
  }

  @Test
  void sameBitsUnderEveryPartitioningAndGrouping() {
    List<Sample> samples = samples(300, 9);
    Dataset<Row> df = frame(samples);
    Row one = metrics(df.repartition(1), ", array(2D, 0.5D, 1D)");
    for (int parts : new int[] {3, 8}) {
      Row r = metrics(df.repartition(parts).sortWithinPartitions(
          org.apache.spark.sql.functions.rand(parts)), ", array(2D, 0.5D, 1D)");
      assertEquals(Double.doubleToRawLongBits(one.getDouble(0)),
          Double.doubleToRawLongBits(r.getDouble(0)), "NE, " + parts + " partitions");
      assertEquals(Double.doubleToRawLongBits(one.getDouble(1)),
          Double.doubleToRawLongBits(r.getDouble(1)), "calibration, " + parts + " partitions");
    }
    // per group, as the groups' own rows alone give
    df.withColumn("g", org.apache.spark.sql.functions.expr("size(x) + CAST(x[0] > 0 AS INT)"))
        .createOrReplaceTempView("quality_g");
    for (Row g : spark.sql("SELECT g, bce_normalized_entropy(x, y, w) AS ne FROM quality_g"
        + " GROUP BY g").collectAsList()) {
      Row alone = spark.sql("SELECT bce_normalized_entropy(x, y, w) FROM quality_g WHERE g = "
          + g.getInt(0)).first();
      assertEquals(alone.getDouble(0), g.getDouble(1), "group " + g.getInt(0));
    }
  }

  @Test
  void argumentErrorsNameTheFunction() {
    AnalysisException e = assertThrows(AnalysisException.class, () -> spark.sql(
        "SELECT bce_calibration(x, y, NULL, 2D) FROM VALUES (0D, 1D) AS t(x, y)").collect());
    assertTrue(e.getMessage().contains("bce_calibration") && e.getMessage().contains(
        "takes 2 to 3 arguments, got 4"), e.getMessage());
    Exception size = assertThrows(Exception.class, () -> spark.sql("SELECT"
        + " bce_normalized_entropy(array(0D, 0D), array(1D, 0D), NULL, array(1D, 2D, 3D))")
        .collect());
    assertTrue(size.getMessage().contains("pos_weight size (3) must match the number of classes"
        + " (2)"), size.getMessage());
  }
}
