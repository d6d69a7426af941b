package io.sparkbce.monitor.history;

import io.sparkbce.job.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * What a Delta Lake history needs from its environment: Delta's classes (delta-spark 4.1.0, not
 * bundled in spark-bce's jar) and a session created with Delta's extension and catalog. spark-bce
 * works without Delta for Parquet histories, so none of its code loads a Delta class unless a run
 * asks for a Delta history.
 */
public final class DeltaSupport {
  public static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  public static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";
  public static final String PACKAGE = "io.delta:delta-spark_2.13:4.1.0";
  static final String CATALOG_KEY = "spark.sql.catalog.spark_catalog";
  static final String EXTENSIONS_KEY = "spark.sql.extensions";
  /** The transaction log directory of a Delta table. */
  static final String LOG = "_delta_log";
  /** Test hook: the class whose presence means Delta is on the class path. */
  static volatile String probeClass = "io.delta.tables.DeltaTable";

  private DeltaSupport() {}

  /** Whether Delta's classes can be loaded. */
  public static boolean onClassPath() {
    try {
      Class.forName(probeClass, false, DeltaSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Adds Delta's extension after {@code extensions} (those configured already, comma-separated;
   * may be null) and Delta's catalog as the session catalog, to a session not yet created.
   */
  public static SparkSession.Builder configure(SparkSession.Builder b, String extensions) {
    return b.config(EXTENSIONS_KEY, withDelta(extensions)).config(CATALOG_KEY, CATALOG);
  }

  /** {@code extensions} with Delta's appended unless present. */
  public static String withDelta(String extensions) {
    if (extensions == null || extensions.isBlank()) {
      return EXTENSION;
    }
    boolean present = Arrays.stream(extensions.split(",")).map(String::trim)
        .anyMatch(EXTENSION::equals);
    return present ? extensions : extensions + "," + EXTENSION;
  }

  /**
   * Fails with a usage error naming {@code --history-format delta} unless Delta's classes are
   * there and {@code spark} was created with Delta's extension and catalog.
   */
  static void require(SparkSession spark) {
    if (!onClassPath()) {
      throw new UsageException("--history-format delta needs Delta Lake (" + PACKAGE + "), which "
          + "is not on the class path: with spark-submit add --packages " + PACKAGE
          + " (through ./submit.sh: --conf spark.jars.packages=" + PACKAGE + "; its embedded run "
          + "has it); or use a Parquet history (--history-format parquet, the default)");
    }
    String extensions = spark.conf().get(EXTENSIONS_KEY, "");
    String catalog = spark.conf().get(CATALOG_KEY, "");
    if (!withDelta(extensions).equals(extensions) || !CATALOG.equals(catalog)) {
      throw new UsageException("--history-format delta needs a Spark session created with Delta's "
          + "extension and catalog (" + EXTENSIONS_KEY + " has " + shown(extensions) + ", "
          + CATALOG_KEY + " is " + shown(catalog) + "): spark-bce's jobs set them when they start "
          + "Spark; a session made elsewhere needs --conf " + EXTENSIONS_KEY + "="
          + withDelta(extensions) + " --conf " + CATALOG_KEY + "=" + CATALOG);
    }
  }

  /**
   * Whether a Delta table is at {@code path} (it has a {@code _delta_log}); with Hadoop's file
   * system only, so that Parquet histories never load a Delta class.
   */
  public static boolean isDeltaTable(Configuration conf, String path) {
    try {
      Path log = new Path(new Path(path), LOG);
      return log.getFileSystem(conf).exists(log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + path + ": " + e, e);
    }
  }

  private static String shown(String v) {
    return v.isBlank() ? "nothing" : v;
  }
}
