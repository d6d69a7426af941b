package io.sparkbce.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.ml.tuning.TrainValidationSplit;
import org.apache.spark.ml.tuning.TrainValidationSplitModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluator in MLlib's tuning: logistic regression on generated data, cross-validated and
 * train/validation-split over regParam with parallelism 2. Its values are checked against the SQL
 * aggregates on the same predictions and against margins computed here from the fitted
 * coefficients; the chosen model must be the one with the lowest loss.
 */
class BinaryCrossEntropyEvaluatorTest {
  private static final double[] REG_PARAMS = {0.0, 0.1, 1.0};
  private static SparkSession spark;
  private static Dataset<Row> data;
  private static CrossValidatorModel cvModel;
  private static Dataset<Row> bestPredictions;

  @TempDir
  static Path tmp;

  @BeforeAll
  static void fit() {
    spark = TestSpark.session();
    // 300 rows, 3 features, labels drawn from a logistic model (so not separable).
    Random r = new Random(42);
    double[] w = {1.5, -2.0, 0.75};
    double b = -0.25;
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      double[] f = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
      double m = b + w[0] * f[0] + w[1] * f[1] + w[2] * f[2];
      double label = r.nextDouble() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
      rows.add(RowFactory.create(i, Vectors.dense(f), label, 0.5 + r.nextDouble()));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType)
        .add("features", new VectorUDT()).add("label", DataTypes.DoubleType)
        .add("w", DataTypes.DoubleType);
    data = spark.createDataFrame(rows, schema).repartition(2).cache();

    LogisticRegression lr = new LogisticRegression().setMaxIter(30);
    CrossValidator cv = new CrossValidator()
        .setEstimator(lr)
        .setEvaluator(new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction"))
        .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam(), REG_PARAMS).build())
        .setNumFolds(3)
        .setParallelism(2)
        .setSeed(7);
    cvModel = cv.fit(data);
    bestPredictions = cvModel.transform(data).cache();
  }

  @AfterAll
  static void release() {
    bestPredictions.unpersist();
    data.unpersist();
  }

  private static int argmin(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] < v[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double regParamOf(Object model) {
    return ((LogisticRegressionModel) model).getRegParam();
  }

  /** The predictions with element 1 of a vector column as {@code <col>_1}. */
  private static Dataset<Row> withElementOne(String col) {
    return bestPredictions.withColumn(col + "_1",
        functions.vector_to_array(bestPredictions.col(col), "float64").getItem(1));
  }

  private static double sql(String query) {
    return spark.sql(query).first().getDouble(0);
  }

  @Test
  void columnNamesWithDotsSpacesAndBackticksAreNamesNotExpressions() {
    // found by hand: a label column named la`b failed with INVALID_ATTRIBUTE_NAME_SYNTAX, and a
    // dot made a name a struct field; MLlib's params are top-level column names
    Dataset<Row> df = spark.sql("SELECT * FROM VALUES (0.8D, 1, 1.5D, 2D), (0.3D, 0, -2D, 1D) "
        + "AS t(`my p.x`, `la``b`, `logit.s`, `w eight`)");
    double expected = (-Math.log(0.8) - Math.log(0.7)) / 2;
    assertEquals(expected, new BinaryCrossEntropyEvaluator().setProbabilityCol("my p.x")
        .setLabelCol("la`b").evaluate(df), 1e-15);
    double logits = (Math.log1p(Math.exp(-1.5)) * 2 + Math.log1p(Math.exp(-2))) / 3;
    assertEquals(logits, new BinaryCrossEntropyEvaluator().setLogitsCol("logit.s")
        .setLabelCol("la`b").setWeightCol("w eight").setReduction("weighted_mean").evaluate(df),
        1e-15);
  }

  @Test
  void crossValidatorChoosesTheLowestLoss() {
    double[] avg = cvModel.avgMetrics();
    assertEquals(3, avg.length);
    for (double m : avg) {
      assertTrue(Double.isFinite(m) && m > 0, "metric " + m);
    }
    assertTrue(avg[2] > avg[argmin(avg)], "regParam 1.0 fits worse: " + java.util.Arrays.toString(avg));
    assertEquals(REG_PARAMS[argmin(avg)], regParamOf(cvModel.bestModel()),
        "best model = lowest average loss: " + java.util.Arrays.toString(avg));
  }

  @Test
  void valueEqualsTheSqlAggregateOnTheSamePredictionsAndOnIndependentMargins() {
    BinaryCrossEntropyEvaluator eval =
        new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction");
    double value = eval.evaluate(bestPredictions);

    // The same predictions, through SQL: bit-identical.
    // (vector_to_array is a DataFrame function, not a SQL one.)
    withElementOne("rawPrediction").createOrReplaceTempView("bce_eval_predictions");
    double viaSql =
        sql("SELECT bce_with_logits_loss(rawPrediction_1, label) FROM bce_eval_predictions");
    assertEquals(viaSql, value);

    // Margins computed here from the model's coefficients: w.x + b.
    LogisticRegressionModel best = (LogisticRegressionModel) cvModel.bestModel();
    double[] coef = best.coefficients().toArray();
    double intercept = best.intercept();
    List<Row> margins = new ArrayList<>();
    double refSum = 0;
    for (Row row : data.select("features", "label").collectAsList()) {
      double[] f = ((Vector) row.get(0)).toArray();
      double m = intercept;
      for (int j = 0; j < f.length; j++) {
        m += coef[j] * f[j];
      }
      margins.add(RowFactory.create(m, row.getDouble(1)));
      refSum += Reference.withLogits(m, row.getDouble(1), 1, 1);
    }
    spark.createDataFrame(margins, new StructType().add("m", DataTypes.DoubleType)
        .add("y", DataTypes.DoubleType)).createOrReplaceTempView("bce_eval_margins");
    double independent = sql("SELECT bce_with_logits_loss(m, y) FROM bce_eval_margins");
    assertEquals(independent, value, 1e-13 * independent, "SQL on margins w.x + b");
    assertEquals(refSum / margins.size(), value, 1e-12 * value, "plain Java reference");
  }

  @Test
  void trainValidationSplitChoosesTheLowestLoss() {
    LogisticRegression lr = new LogisticRegression().setMaxIter(30);
    TrainValidationSplitModel model = new TrainValidationSplit()
        .setEstimator(lr)
        .setEvaluator(new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction"))
        .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam(), REG_PARAMS).build())
        .setTrainRatio(0.75)
        .setParallelism(2)
        .setSeed(11)
        .fit(data);
    double[] metrics = model.validationMetrics();
    assertEquals(3, metrics.length);
    assertNotEquals(metrics[0], metrics[2]);
    assertEquals(REG_PARAMS[argmin(metrics)], regParamOf(model.bestModel()),
        java.util.Arrays.toString(metrics));
  }

  @Test
  void probabilityColumnIsBceOnElementOne() {
    BinaryCrossEntropyEvaluator eval =
        new BinaryCrossEntropyEvaluator().setProbabilityCol("probability");
    double value = eval.evaluate(bestPredictions);
    withElementOne("probability").createOrReplaceTempView("bce_eval_probabilities");
    assertEquals(sql("SELECT bce_loss(probability_1, label) FROM bce_eval_probabilities"), value);
    double ref = 0;
    List<Row> rows = bestPredictions.select("probability", "label").collectAsList();
    for (Row row : rows) {
      ref += Reference.probabilities(((Vector) row.get(0)).apply(1), row.getDouble(1), 1);
    }
    assertEquals(ref / rows.size(), value, 1e-12 * value);
    // Close to, not equal to, the loss on the logits (sigmoid then log rounds twice).
    double logits = new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction")
        .evaluate(bestPredictions);
    assertEquals(logits, value, 1e-12 * value);
  }

  @Test
  void logitsColumnWeightsPosWeightAndReductions() {
    Dataset<Row> df = spark.sql("SELECT id, CAST(id % 7 AS DOUBLE) / 2 - 1.5 AS x,"
        + " array(CAST(id % 7 AS DOUBLE) / 2 - 1.5, CAST(id % 5 AS DOUBLE) - 2) AS xs,"
        + " CAST(id % 3 = 0 AS DOUBLE) AS y, array(CAST(id % 3 = 0 AS DOUBLE),"
        + " CAST(id % 2 AS DOUBLE)) AS ys, 1 + id % 4 AS w FROM range(40)");
    double sum = 0;
    double weighted = 0;
    double weights = 0;
    double sum2 = 0;
    for (int id = 0; id < 40; id++) {
      double x = (id % 7) / 2.0 - 1.5;
      double y = id % 3 == 0 ? 1 : 0;
      double w = 1 + id % 4;
      sum += Reference.withLogits(x, y, 1, 2.5);
      weighted += Reference.withLogits(x, y, w, 2.5);
      weights += w;
      sum2 += Reference.withLogits(x, y, w, 2) + Reference.withLogits(id % 5 - 2.0, id % 2, w, 3);
    }
    BinaryCrossEntropyEvaluator eval = new BinaryCrossEntropyEvaluator()
        .setLogitsCol("x").setLabelCol("y").setPosWeight(new double[] {2.5});
    assertEquals(sum / 40, eval.evaluate(df), 1e-12);
    assertEquals(sum, eval.setReduction("SUM").evaluate(df), 1e-12 * sum);
    eval.setWeightCol("w").setReduction("weighted_mean");
    assertEquals(weighted / weights, eval.evaluate(df), 1e-12);
    // Multi-label ARRAY logits and labels, per-class pos_weight, and "" as "no weight column".
    BinaryCrossEntropyEvaluator multi = new BinaryCrossEntropyEvaluator().setLogitsCol("xs")
        .setLabelCol("ys").setWeightCol("w").setPosWeight(new double[] {2, 3})
        .setReduction("sum");
    assertEquals(sum2, multi.evaluate(df), 1e-12 * sum2);
    assertTrue(multi.setWeightCol("").evaluate(df) < sum2);
  }

  @Test
  void vectorLogitsColumn() {
    // A logits column may be an MLlib vector: both elements count. rawPrediction is [-m, m].
    double both = new BinaryCrossEntropyEvaluator().setLogitsCol("rawPrediction")
        .setLabelCol("label").setReduction("sum").evaluate(
            bestPredictions.selectExpr("rawPrediction", "array(1 - label, label) AS label"));
    double one = new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction")
        .setReduction("sum").evaluate(bestPredictions);
    // loss(-m, 1 - y) = loss(m, y): the vector form counts each sample twice.
    assertEquals(2 * one, both, 1e-12 * both);
  }

  @Test
  void exactlyOneInputColumn() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> new BinaryCrossEntropyEvaluator().evaluate(bestPredictions));
    assertTrue(none.getMessage().contains(
        "set exactly one of logitsCol, rawPredictionCol, probabilityCol; none is set"),
        none.getMessage());
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
        () -> new BinaryCrossEntropyEvaluator().setRawPredictionCol("rawPrediction")
            .setProbabilityCol("probability").evaluate(bestPredictions));
    assertTrue(two.getMessage().contains(
        "2 are set: rawPredictionCol='rawPrediction', probabilityCol='probability'"),
        two.getMessage());
    IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
        () -> new BinaryCrossEntropyEvaluator().setLogitsCol("a").setRawPredictionCol("b")
            .setProbabilityCol("c").evaluate(bestPredictions));
    assertTrue(three.getMessage().contains("3 are set: logitsCol='a'"), three.getMessage());
    // clear() makes the evaluator usable again.
    BinaryCrossEntropyEvaluator e = new BinaryCrossEntropyEvaluator().setLogitsCol("a")
        .setRawPredictionCol("rawPrediction");
    e.clear(e.logitsCol());
    assertTrue(Double.isFinite(e.evaluate(bestPredictions)));
  }

  @Test
  void badParamsAndColumns() {
    BinaryCrossEntropyEvaluator e = new BinaryCrossEntropyEvaluator();
    assertThrows(IllegalArgumentException.class, () -> e.setReduction("none"));
    assertThrows(IllegalArgumentException.class, () -> e.setReduction("avg"));
    assertEquals("mean", e.getReduction());
    assertEquals("label", e.getLabelCol());
    assertFalse(e.isLargerBetter());
    List<String> names = new ArrayList<>();
    for (org.apache.spark.ml.param.Param<?> p : e.params()) {
      names.add(p.name());
    }
    assertEquals(List.of("labelCol", "logitsCol", "posWeight", "probabilityCol",
        "rawPredictionCol", "reduction", "weightCol"), names);
    assertTrue(e.explainParams().contains("reduction: how element losses are combined"));
    IllegalArgumentException pw = assertThrows(IllegalArgumentException.class,
        () -> new BinaryCrossEntropyEvaluator().setProbabilityCol("probability")
            .setPosWeight(new double[] {2}).evaluate(bestPredictions));
    assertTrue(pw.getMessage().contains("posWeight applies to logits"), pw.getMessage());
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> new BinaryCrossEntropyEvaluator().setRawPredictionCol("features")
            .evaluate(data.selectExpr("'a' AS features", "label")));
    assertTrue(type.getMessage().contains("rawPredictionCol 'features' has type STRING"),
        type.getMessage());
    // A 3-element vector is not a binary classifier's output.
    Exception size = assertThrows(Exception.class,
        () -> new BinaryCrossEntropyEvaluator().setRawPredictionCol("features").evaluate(data));
    assertTrue(messages(size).contains("must hold the 2-element vectors of a binary classifier,"
        + " got a vector of size 3"), messages(size));
  }

  @Test
  void copyLeavesTheOriginalAlone() {
    BinaryCrossEntropyEvaluator e = new BinaryCrossEntropyEvaluator()
        .setRawPredictionCol("rawPrediction");
    BinaryCrossEntropyEvaluator c = e.copy(new ParamMap().put(e.reduction(), "sum"));
    assertEquals(e.uid(), c.uid());
    assertEquals("sum", c.getReduction());
    assertEquals("mean", e.getReduction());
    assertEquals(bestPredictions.count() * e.evaluate(bestPredictions),
        c.evaluate(bestPredictions), 1e-9);
    assertEquals(c.evaluate(bestPredictions),
        e.evaluate(bestPredictions, new ParamMap().put(e.reduction(), "sum")));
  }

  @Test
  void concurrentEvaluationsAgree() throws Exception {
    BinaryCrossEntropyEvaluator e = new BinaryCrossEntropyEvaluator()
        .setRawPredictionCol("rawPrediction").setWeightCol("w").setReduction("weighted_mean");
    double expected = e.evaluate(bestPredictions);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Double>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> e.evaluate(bestPredictions)));
      }
      for (Future<Double> f : results) {
        assertEquals(expected, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void evaluatorSavesAndLoads() throws Exception {
    BinaryCrossEntropyEvaluator e = new BinaryCrossEntropyEvaluator()
        .setRawPredictionCol("rawPrediction").setLabelCol("label").setWeightCol("w")
        .setPosWeight(new double[] {1.5}).setReduction("weighted_mean");
    String path = tmp.resolve("evaluator").toString();
    e.write().overwrite().save(path);
    BinaryCrossEntropyEvaluator loaded = BinaryCrossEntropyEvaluator.load(path);
    assertEquals(e.uid(), loaded.uid());
    assertEquals("rawPrediction", loaded.getRawPredictionCol());
    assertFalse(loaded.isSet(loaded.logitsCol()));
    assertFalse(loaded.isSet(loaded.probabilityCol()));
    assertEquals("w", loaded.getWeightCol());
    assertArrayEquals(new double[] {1.5}, loaded.getPosWeight());
    assertEquals("weighted_mean", loaded.getReduction());
    assertEquals(e.evaluate(bestPredictions), loaded.evaluate(bestPredictions));
    assertEquals(e.evaluate(bestPredictions),
        BinaryCrossEntropyEvaluator.read().load(path).evaluate(bestPredictions));
  }

  @Test
  void crossValidatorModelSavesAndLoadsWithTheEvaluator() throws Exception {
    String path = tmp.resolve("cv-model").toString();
    cvModel.write().overwrite().save(path);
    CrossValidatorModel loaded = CrossValidatorModel.load(path);
    BinaryCrossEntropyEvaluator eval =
        assertInstanceOf(BinaryCrossEntropyEvaluator.class, loaded.getEvaluator());
    BinaryCrossEntropyEvaluator original = (BinaryCrossEntropyEvaluator) cvModel.getEvaluator();
    assertEquals(original.uid(), eval.uid());
    assertEquals("rawPrediction", eval.getRawPredictionCol());
    assertEquals("mean", eval.getReduction());
    assertArrayEquals(cvModel.avgMetrics(), loaded.avgMetrics());
    assertEquals(regParamOf(cvModel.bestModel()), regParamOf(loaded.bestModel()));
    assertEquals(original.evaluate(bestPredictions), eval.evaluate(loaded.transform(data)));
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }
}
