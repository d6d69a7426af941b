package io.sparkbce.testing;

import io.sparkbce.BceFunctions;
import io.sparkbce.monitor.history.DeltaSupport;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession of a test JVM: local[2], two shuffle partitions, no UI. In the delta-tests
 * execution (system property {@code sparkbce.test.delta}) it also has Delta Lake's extension and
 * catalog, which a session gets only when it is created.
 */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      SparkSession.Builder b = SparkSession.builder()
          .master("local[2]")
          .appName("spark-bce-tests")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.ansi.enabled", "true")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.warehouse.dir", "target/spark-warehouse")
          .config("spark.sql.extensions", "io.sparkbce.BceSparkExtensions");
      if (Boolean.getBoolean("sparkbce.test.delta")) {
        DeltaSupport.configure(b, "io.sparkbce.BceSparkExtensions");
      }
      session = b.getOrCreate();
      BceFunctions.register(session);
    }
    return session;
  }
}
