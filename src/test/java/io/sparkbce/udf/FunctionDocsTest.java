package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.TestSpark;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.junit.jupiter.api.Test;

/**
 * SQL names and docs like Spark's built-ins: result columns read like the call, with the real
 * arguments; DESCRIBE FUNCTION has usage, arguments, examples whose results are what the examples
 * return, since and a group; SHOW FUNCTIONS lists all seven.
 */
class FunctionDocsTest {
  private final SparkSession spark = TestSpark.session();

  @Test
  void resultColumnsReadLikeTheCall() {
    spark.sql("SELECT array(1D, -1D) AS xs, array(1D, 0D) AS ys, 0.5D AS x, 1D AS y, 0.5D AS q")
        .createOrReplaceTempView("names_t");
    String[] columns = spark.sql("SELECT bce_with_logits(x, y), bce(q, y, 2D),"
        + " bce_with_logits_grad(xs, ys) FROM names_t").columns();
    assertArrayEquals(new String[] {"bce_with_logits(x, y)", "bce(q, y, 2.0)",
        "bce_with_logits_grad(xs, ys)"}, columns);
    columns = spark.sql("SELECT bce_with_logits_loss(xs, ys, NULL, array(3D, 1D)),"
        + " bce_loss(q, y, NULL, 'sum'), bce_with_logits_loss_per_class(xs, ys),"
        + " bce_pos_weight(ys), bce_with_logits_loss(DISTINCT x, y) FROM names_t").columns();
    assertArrayEquals(new String[] {"bce_with_logits_loss(xs, ys, NULL, array(3.0, 1.0))",
        "bce_loss(q, y, NULL, sum)", "bce_with_logits_loss_per_class(xs, ys)",
        "bce_pos_weight(ys)", "bce_with_logits_loss(DISTINCT x, y)"}, columns);
    String[] api = spark.table("names_t").agg(io.sparkbce.BceFunctions.bceWithLogitsLoss(
        spark.table("names_t").col("xs"), spark.table("names_t").col("ys"))).columns();
    assertArrayEquals(new String[] {"bce_with_logits_loss(xs, ys)"}, api);
    assertEquals("bce_with_logits(x, y)",
        spark.table("names_t").select(io.sparkbce.BceFunctions.bceWithLogits(
            spark.table("names_t").col("x"), spark.table("names_t").col("y"))).columns()[0]);
  }

  @Test
  void describeFunctionShowsUsageArgumentsExamplesSinceAndGroup() {
    for (SqlFunction f : BceFunctionRegistry.FUNCTIONS) {
      ExpressionInfo info = f.info();
      assertEquals(FunctionDocs.SINCE, info.getSince(), f.name());
      assertTrue(List.of("math_funcs", "agg_funcs").contains(info.getGroup()), f.name());
      String text = String.join("\n", spark.sql("DESCRIBE FUNCTION EXTENDED " + f.name())
          .collectAsList().stream().map(r -> r.getString(0)).toList());
      for (String part : List.of("Function: " + f.name(), "Usage: " + f.name() + "(",
          "Arguments:", "* target - ", "Examples:", "> SELECT " + f.name() + "(",
          "Group: " + info.getGroup() + " (", "Since: " + FunctionDocs.SINCE)) {
        assertTrue(text.contains(part), "'" + part + "' in:\n" + text);
      }
    }
  }

  @Test
  void everyExampleReturnsTheResultItShows() {
    for (SqlFunction f : BceFunctionRegistry.FUNCTIONS) {
      for (String[] example : FunctionDocs.examples(f.name())) {
        String sql = example[0].substring(0, example[0].length() - 1);
        String actual = spark.sql("SELECT CAST(r AS STRING) FROM (" + sql.replaceFirst(
            "^SELECT (.*?)( FROM .*)?$", "SELECT $1 AS r$2") + ")").first().getString(0);
        assertEquals(example[1], actual, example[0]);
      }
    }
  }

  @Test
  void showFunctionsListsAllSeven() {
    List<String> names = spark.sql("SHOW FUNCTIONS LIKE 'bce*'").collectAsList().stream()
        .map(r -> r.getString(0)).sorted().toList();
    assertEquals(BceFunctionRegistry.FUNCTIONS.stream().map(SqlFunction::name).sorted().toList(),
        names);
  }
}
