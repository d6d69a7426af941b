package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A permanent view (stored in the catalog, not the session) may call the functions the extension
 * installs: Spark refuses permanent views over temporary functions, so they must count as
 * built-ins. (Across JVMs, with a Hive metastore: {@code io.sparkbce.job.CatalogTablesTest}.)
 */
class PermanentViewTest {
  @Test
  void aPermanentViewCallsTheFunctions() {
    SparkSession spark = TestSpark.session();
    try {
      spark.sql("CREATE VIEW default.bce_permanent_view AS SELECT"
          + " bce_with_logits_loss(x, y, NULL, NULL, 'sum') AS loss, bce_with_logits(1.5D, 1D) AS e"
          + " FROM VALUES (1.5D, 1D), (-0.5D, 0D) AS t(x, y)");
      Row r = spark.sql("SELECT loss, e FROM default.bce_permanent_view").first();
      double expected = Reference.withLogits(1.5, 1, 1, 1) + Reference.withLogits(-0.5, 0, 1, 1);
      assertEquals(expected, r.getDouble(0), 1e-15);
      assertEquals(Reference.withLogits(1.5, 1, 1, 1), r.getDouble(1), 1e-15);
    } finally {
      spark.sql("DROP VIEW IF EXISTS default.bce_permanent_view");
    }
  }
}
