package example;

import static io.sparkbce.BceFunctions.bceWithLogitsLoss;
import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The README's Java call, compiled against the installed spark-bce artifact. */
public final class Consumer {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("consumer")
        .config("spark.ui.enabled", "false").getOrCreate();
    try {
      Row r = spark.sql("SELECT array(1.5D, -2D) AS logits, array(1D, 0D) AS labels")
          .agg(bceWithLogitsLoss(col("logits"), col("labels"), null, null, "sum"),
              bceWithLogitsLoss(col("logits"), col("labels"), null, new double[] {3, 1}, "mean"))
          .first();
      System.out.println("sum=" + r.getDouble(0) + " mean=" + r.getDouble(1));
    } finally {
      spark.stop();
    }
  }
}
