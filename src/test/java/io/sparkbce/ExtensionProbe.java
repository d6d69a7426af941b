package io.sparkbce;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Run in a separate JVM by {@link ExtensionRegistrationTest}: a session built from configuration
 * alone (spark.* system properties, as spark-submit and spark-sql pass them), no code registration.
 */
public final class ExtensionProbe {
  private ExtensionProbe() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().getOrCreate();
    try {
      for (SparkSession s : new SparkSession[] {spark, spark.newSession()}) {
        Row r = s.sql("SELECT bce_with_logits(1.5D, 1D), bce(0.5D, 1D),"
            + " bce_with_logits_grad(0D, 1D)").first();
        System.out.println("elementwise " + r.getDouble(0) + " " + r.getDouble(1) + " "
            + r.getDouble(2));
        Row a = s.sql("SELECT bce_with_logits_loss(x, y), bce_loss(0.5D, y),"
            + " bce_with_logits_loss_per_class(array(x), array(y))[0], bce_pos_weight(y)[0]"
            + " FROM VALUES (1.5D, 1D), (1.5D, 0D), (1.5D, 0D) AS t(x, y)").first();
        System.out.println("aggregates " + a.getDouble(0) + " " + a.getDouble(1) + " "
            + a.getDouble(2) + " " + a.getDouble(3));
        System.out.println("functions " + String.join(",", s.sql("SHOW FUNCTIONS LIKE 'bce*'")
            .collectAsList().stream().map(f -> f.getString(0)).sorted().toList()));
        System.out.println("names " + s.sql("SELECT bce_with_logits(x, y) FROM VALUES (1D, 0D)"
            + " AS t(x, y)").columns()[0] + ";" + s.sql("SELECT bce_with_logits_loss(x, y, NULL,"
            + " 3D) FROM VALUES (1D, 0D) AS t(x, y)").columns()[0]);
        System.out.println("describe " + s.sql("DESCRIBE FUNCTION EXTENDED bce_with_logits_loss")
            .collectAsList().stream().map(f -> f.getString(0)).toList().toString()
            .replace("\n", "\\n"));
      }
    } finally {
      spark.stop();
    }
  }
}
