package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Golden;
import io.sparkbce.testing.Golden.GoldenCase;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.debug.package$;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

/** The per-row functions run inside Spark's generated code; gradients match PyTorch's. */
class CodegenAndGradientTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void elementwiseFunctionsAreCalledFromGeneratedCode() {
    Dataset<Row> df = spark.sql("SELECT bce_with_logits(x, y) AS s,"
        + " bce_with_logits(array(x), array(y)) AS a, bce(0.5D, y) AS q"
        + " FROM (SELECT id / 7D AS x, CAST(id % 2 AS DOUBLE) AS y FROM range(10))");
    String code = package$.MODULE$.codegenString(df.queryExecution().executedPlan());
    assertTrue(code.contains("io.sparkbce.udf.Elementwise.withLogits("), code);
    assertTrue(code.contains("io.sparkbce.udf.Elementwise.arrays("), code);
    assertTrue(code.contains("io.sparkbce.udf.Elementwise.probabilities("), code);
    assertEquals(10, df.collectAsList().size());
  }

  @Test
  void gradientMatchesPyTorchWhereItsFormulaIsAccurate() {
    int compared = 0;
    for (GoldenCase c : Golden.cases("bce_with_logits.jsonl")) {
      if (!"none".equals(c.reduction()) || c.float32() || c.error() != null || c.rows() == 0) {
        continue;
      }
      Dataset<Row> df = GoldenVectorsTest.frame(c);
      String w = c.weight() == null ? "NULL" : "w";
      String p = c.posWeight() == null ? "NULL" : GoldenVectorsTest.sqlArray(c.posWeight());
      List<Row> rows = df.select(functions.col("idx"), functions.expr(
          "bce_with_logits_grad(x, y, " + w + ", " + p + ")")).orderBy("idx").collectAsList();
      for (Row r : rows) {
        compared += compare(c.node.get("grad_input").get(r.getInt(0)), c.input().get(r.getInt(0)),
            Rows.toJava(r.get(1)), c.id());
      }
    }
    assertTrue(compared > 1000, "gradient elements compared: " + compared);
  }

  private static int compare(com.fasterxml.jackson.databind.JsonNode torch,
      com.fasterxml.jackson.databind.JsonNode x, Object ours, String id) {
    if (torch.isArray()) {
      int n = 0;
      for (int i = 0; i < torch.size(); i++) {
        n += compare(torch.get(i), x.get(i), ((List<?>) ours).get(i), id);
      }
      return n;
    }
    double t = torch.asDouble();
    double xv = x.asDouble();
    // PyTorch computes (p*y + 1 - y) * sigmoid(x) - p*y, which cancels as |x| grows: e^-8 costs
    // it up to ~1e-12 relative. Beyond that ours is the accurate one (SPEC §1 form).
    if (!Double.isFinite(t) || !Double.isFinite(xv) || Math.abs(xv) > 8) {
      return 0;
    }
    double v = (Double) ours;
    assertTrue(Math.abs(v - t) <= 1e-11 * Math.abs(t) + 1e-15,
        id + ": grad " + v + " vs PyTorch " + t + " at x=" + xv);
    return 1;
  }

  @Test
  void gradientIsFiniteAtInfiniteLogitsAndMatchesTheFormula() {
    Row r = spark.sql("SELECT bce_with_logits_grad(CAST('Infinity' AS DOUBLE), 1D),"
        + " bce_with_logits_grad(CAST('-Infinity' AS DOUBLE), 1D, 2D, 3D),"
        + " bce_with_logits_grad(CAST('Infinity' AS DOUBLE), 0.25D),"
        + " bce_with_logits_grad(0.7D, 0.3D, 1.5D, 2D)").first();
    assertEquals(0.0, r.getDouble(0));
    assertEquals(-6.0, r.getDouble(1));
    assertEquals(0.75, r.getDouble(2));
    assertTrue(Reference.near(r.getDouble(3), Reference.grad(0.7, 0.3, 1.5, 2)));
  }
}
