package io.sparkbce.monitor.history;

import io.sparkbce.job.UsageException;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code --history-table NAME}: a Delta history known to the session's catalog by name rather
 * than by path. The history is read and written at the table's location like any Delta history
 * (the same one-commit replaceWhere, conflict check and time travel); a table that does not exist
 * yet gets its database's default location and is registered (an external Delta table there)
 * once the run's first commit has made the location a Delta table, so a run that fails before
 * writing leaves no empty table behind.
 */
public final class HistoryTable {
  private HistoryTable() {}

  /** The location of the history table {@code name}: where it is, or where it will be. */
  public static String location(SparkSession spark, String option, String name) {
    DeltaSupport.require(spark);
    List<String> parts = parts(spark, option, name);
    if (spark.catalog().tableExists(quoted(parts))) {
      String provider = null;
      String location = null;
      for (Row r : spark.sql("DESCRIBE TABLE EXTENDED " + quoted(parts)).collectAsList()) {
        String key = r.isNullAt(0) ? "" : r.getString(0).trim();
        if (key.equalsIgnoreCase("Provider")) {
          provider = r.getString(1);
        } else if (key.equalsIgnoreCase("Location")) {
          location = r.getString(1);
        }
      }
      if (provider == null || !provider.equalsIgnoreCase("delta") || location == null) {
        throw new UsageException(option + " " + name + " is a " + (provider == null ? "view or"
            + " table without a location" : provider + " table") + ", not a Delta table: a "
            + "history table is a Delta table written by monitor; give the name of one, or a new "
            + "name");
      }
      return location;
    }
    String database = parts.size() == 2 ? parts.get(0) : spark.catalog().currentDatabase();
    if (!spark.catalog().databaseExists(quoted(List.of(database)))) {
      throw new UsageException(option + " " + name + ": there is no database " + database
          + " in the session's catalog");
    }
    String root;
    try {
      root = spark.catalog().getDatabase(quoted(List.of(database))).locationUri();
    } catch (org.apache.spark.sql.AnalysisException e) {
      throw new UsageException(option + " " + name + ": cannot read the database " + database
          + " of the session's catalog: " + e.getMessage());
    }
    // the catalog lower-cases unquoted names; the folder is named as a managed table's would be
    return root.replaceAll("/+$", "") + "/" + parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
  }

  /**
   * Registers {@code name} as an external Delta table at {@code location} if it is not in the
   * catalog yet and the location now holds a Delta table; does nothing for a null name.
   */
  public static void register(SparkSession spark, String option, String name, String location) {
    if (name == null) {
      return;
    }
    String quoted = quoted(parts(spark, option, name));
    if (!spark.catalog().tableExists(quoted)
        && DeltaSupport.isDeltaTable(spark.sparkContext().hadoopConfiguration(), location)) {
      spark.catalog().createTable(quoted, location, "delta");
    }
  }

  /** The name's parts ([database.]table), parsed as Spark SQL parses a table name. */
  private static List<String> parts(SparkSession spark, String option, String name) {
    List<String> parts;
    try {
      parts = CollectionConverters.asJava(
          spark.sessionState().sqlParser().parseMultipartIdentifier(name));
    } catch (RuntimeException | org.apache.spark.sql.catalyst.parser.ParseException e) {
      throw new UsageException(option + " '" + name + "' is not a table name ([database.]table, "
          + "with `backticks` around a part that needs them)");
    }
    if (parts.isEmpty() || parts.size() > 2) {
      throw new UsageException(option + " '" + name + "': give [database.]table (the session "
          + "catalog's), got " + parts.size() + " parts");
    }
    return parts;
  }

  private static String quoted(List<String> parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      b.append(b.length() == 0 ? "" : ".").append('`').append(p.replace("`", "``")).append('`');
    }
    return b.toString();
  }
}
