package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BceFunctions;
import io.sparkbce.testing.TestSpark;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SPEC §2's errors: each names the function, the argument and the sizes or value; at analysis time
 * where the types already tell, otherwise at run time.
 */
class BadInputTest {
  private final SparkSession spark = TestSpark.session();

  private static String messages(Throwable t) {
    return GoldenVectorsTest.messages(t);
  }

  private void runtimeError(String sql, String... fragments) {
    Exception e = assertThrows(Exception.class, () -> spark.sql(sql).collectAsList(), sql);
    String m = messages(e);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "'" + f + "' missing from: " + m);
    }
  }

  private void analysisError(String sql, String... fragments) {
    AnalysisException e = assertThrows(AnalysisException.class, () -> spark.sql(sql), sql);
    String m = messages(e);
    for (String f : fragments) {
      assertTrue(m.contains(f), () -> "'" + f + "' missing from: " + m);
    }
  }

  @Test
  void shapeMismatchNamesBothSizesAndTheCall() {
    runtimeError("SELECT bce_with_logits(x, y) FROM VALUES (array(1D, 2D, 3D, 4D, 5D),"
            + " array(1D, 0D, 1D, 0D)) AS t(x, y)",
        "Target size (4) must be the same as input size (5)", "bce_with_logits(x, y)");
    runtimeError("SELECT bce_with_logits_loss(x, y) FROM VALUES (array(1D, 2D),"
        + " array(1D)) AS t(x, y)", "Target size (1) must be the same as input size (2)",
        "bce_with_logits_loss(x, y)");
  }

  @Test
  void posWeightLengthNamesBothSizes() {
    runtimeError("SELECT bce_with_logits_loss(x, y, NULL, array(1D, 2D, 3D, 4D)) FROM VALUES"
            + " (array(1D, 2D, 3D, 4D, 5D), array(1D, 0D, 1D, 0D, 1D)) AS t(x, y)",
        "pos_weight size (4) must match the number of classes (5)");
    runtimeError("SELECT bce_with_logits(1D, 1D, NULL, array(1D, 2D))",
        "pos_weight size (2) must match the number of classes (1)");
  }

  @Test
  void weightSizeMismatch() {
    runtimeError("SELECT bce_with_logits(array(1D, 2D, 3D), array(1D, 0D, 1D), array(1D, 2D))",
        "weight size (2) must match input size (3)");
  }

  @Test
  void classCountMustNotChangeAcrossRowsOfPerClassLoss() {
    runtimeError("SELECT bce_with_logits_loss_per_class(x, y) FROM VALUES (array(1D, 2D),"
            + " array(1D, 0D)), (array(1D), array(1D)) AS t(x, y)",
        "number of classes", "differs from earlier rows");
  }

  @ParameterizedTest
  @CsvSource({"1.5D, 1D, 1.5", "-0.25D, 1D, -0.25", "CAST('NaN' AS DOUBLE), 1D, NaN",
      "0.5D, 2D, 2.0"})
  void probabilitiesOutsideUnitIntervalNameTheValue(String q, String y, String shown) {
    runtimeError("SELECT bce(" + q + ", " + y + ")", "should be between 0 and 1", shown, "bce(");
    runtimeError("SELECT bce_loss(q, t) FROM VALUES (" + q + ", " + y + ") AS v(q, t)",
        "should be between 0 and 1", shown, "bce_loss(q, t)");
    runtimeError("SELECT bce(array(0.5D, " + q + "), array(1D, " + y + "))",
        "should be between 0 and 1", shown);
  }

  /** A label outside [0, 1] would count negative positives: [0.0, Infinity] for 2 and -1 before. */
  @ParameterizedTest
  @CsvSource({"2D, 2.0", "-1D, -1.0", "1.0000001D, 1.0000001"}) // NaN propagates: BadInputSweepTest
  void posWeightOfLabelsOutsideUnitIntervalNamesTheValue(String y, String shown) {
    runtimeError("SELECT bce_pos_weight(y) FROM VALUES (0D), (" + y + "), (1D) AS v(y)",
        "bce_pos_weight(y): all elements of target should be between 0 and 1, got " + shown);
    runtimeError("SELECT bce_pos_weight(ys) FROM VALUES (array(0D, 1D)), (array(1D, " + y
        + ")) AS v(ys)",
        "bce_pos_weight(ys): all elements of target should be between 0 and 1, got " + shown);
  }

  @Test
  void unknownReductionListsTheValidOnes() {
    analysisError("SELECT bce_with_logits_loss(1D, 1D, NULL, NULL, 'avg')",
        "unknown reduction 'avg'", "'mean', 'sum', 'weighted_mean'");
    analysisError("SELECT bce_loss(0.5D, 1D, NULL, 'none')", "unknown reduction 'none'");
    analysisError("SELECT bce_with_logits_loss(x, 1D, NULL, NULL, r) FROM VALUES (1D, 'sum')"
        + " AS t(x, r)", "reduction must be a constant string");
  }

  @Test
  void wrongArgumentTypesAreAnalysisErrors() {
    analysisError("SELECT bce_with_logits('1.5', 1D)", "argument `input`", "STRING");
    analysisError("SELECT bce_with_logits(1D, named_struct('a', 1))", "argument `target`",
        "STRUCT");
    analysisError("SELECT bce_with_logits(true, 1D)", "argument `input`", "BOOLEAN");
    analysisError("SELECT bce_with_logits(1D, 1D, 'w')", "argument `weight`");
    analysisError("SELECT bce_with_logits(array(1D), array(array(1D)))",
        "Target size must be the same as input size", "rank 2", "rank 1");
    analysisError("SELECT bce_with_logits(1D, 1D, array(1D))", "weight", "rank 1");
    analysisError("SELECT bce_with_logits(array(1D), array(1D), NULL, array(array(1D)))",
        "pos_weight", "array of length C");
  }

  @Test
  void wrongArgumentCounts() {
    analysisError("SELECT bce_with_logits(1D)", "takes 2 to 4 arguments, got 1");
    analysisError("SELECT bce(0.5D, 1D, 1D, 1D)", "takes 2 to 3 arguments, got 4");
    analysisError("SELECT bce_pos_weight(1D, 1D)", "takes 1 argument");
    analysisError("SELECT bce_with_logits_loss(1D, 1D, 1D, 1D, 'sum', 1)",
        "takes 2 to 5 arguments, got 6");
  }

  @Test
  void columnApiReportsTheSameErrors() {
    Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT 'a' AS x, 1D AS y")
        .select(BceFunctions.bceWithLogits(functions.col("x"), functions.col("y")))
        .collectAsList());
    assertTrue(messages(e).contains("argument `input`"), messages(e));
  }
}
