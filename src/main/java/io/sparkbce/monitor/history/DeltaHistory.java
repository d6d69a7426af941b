package io.sparkbce.monitor.history;

import io.sparkbce.job.JobFailure;
import io.sparkbce.job.RetryableFailure;
import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A metric history stored as a Delta table ({@code --history-format delta}): the columns of
 * {@link MetricHistory#schema}, partitioned by {@code window_date}, the series record
 * ({@link HistorySeries}) beside the log. No lock: writers may run at once. An update is one Delta
 * transaction, a {@code replaceWhere} on exactly the (window, segment) pairs it computed, so other
 * windows and segments are never rewritten; a writer whose windows another committed while it was
 * writing is refused by Delta's conflict check, and fails retryably ({@link RetryableFailure})
 * with nothing of it written. Every commit is a version that {@code --as-of} reads back.
 *
 * <p>Only Spark's API is used (format "delta", its options, DESCRIBE HISTORY): no Delta class is
 * linked, and {@link DeltaSupport#require} checks that Delta is there before any of it runs.
 */
public final class DeltaHistory implements HistoryStore {
  /**
   * Test hook: called inside the write's tasks (before the commit, the transaction open) with
   * the name of the driver thread that writes: a test holds one writer there while another
   * commits.
   */
  static volatile Consumer<String> duringWrite;

  private final SparkSession spark;
  private final String path;
  private final Path root;
  private final RunSeries series;
  /** With --new-series, until the first update has replaced the whole table. */
  private boolean newSeriesPending;
  private final PrintStream log;

  private DeltaHistory(SparkSession spark, String path, Path root, HistorySeries series,
      HistorySeries recorded, boolean newSeries, PrintStream log) {
    this.spark = spark;
    this.path = path;
    this.root = root;
    this.series = new RunSeries(series, recorded);
    this.newSeriesPending = newSeries;
    this.log = log;
  }

  /**
   * Opens the Delta history at {@code path} (none yet: created by the first update). Refuses a
   * path holding a Parquet history, and a run whose series differs unless {@code newSeries}.
   */
  static DeltaHistory open(SparkSession spark, String path, HistorySeries series,
      boolean newSeries, PrintStream log) {
    DeltaSupport.require(spark);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      boolean exists = DeltaSupport.isDeltaTable(conf, path);
      if (!exists && HistoryStore.holdsParquetHistory(fs, root)) {
        throw new UsageException("--history " + path + " holds a Parquet history: read and write "
            + "it with --history-format parquet (the default), or give a new --history for a "
            + "Delta one");
      }
      HistorySeries recorded = null;
      if (exists && !newSeries) {
        recorded = HistorySeries.read(fs, root);
        OpenHistory.check(path, recorded, series, " Give another --history, or --new-series to "
            + "start a new series in this one (one Delta commit replaces all its rows; the rows "
            + "there now stay readable with --as-of until a VACUUM removes their files).");
      }
      return new DeltaHistory(spark, path, root, series, recorded, newSeries, log);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot open the history " + path + ": " + e, e);
    }
  }

  @Override
  public HistorySeries series() {
    return series.series();
  }

  @Override
  public double[] frozenPosWeight() {
    return series.frozenPosWeight();
  }

  @Override
  public void freezePosWeight(double[] values) {
    series.freeze(values);
  }

  @Override
  public List<Metric> read() {
    if (newSeriesPending || !DeltaSupport.isDeltaTable(conf(), path)) {
      return new ArrayList<>();
    }
    return metrics(spark.read().format("delta").load(path));
  }

  /**
   * One Delta transaction: the rows of each (window, segment) of {@code computed} replaced (with
   * {@code --new-series}, the whole table). A concurrent writer's conflicting commit makes it a
   * {@link RetryableFailure}.
   */
  @Override
  public List<Metric> update(List<Metric> computed) {
    if (computed.isEmpty()) {
      return read();
    }
    boolean changed = series.takeChanged();
    if (changed || !series.recorded()) {
      series.series().write(conf(), root);
    }
    StructType schema = MetricHistory.schema(series.series().segmentType());
    Dataset<Row> df = spark.createDataFrame(computed.stream().map(Metric::row).toList(), schema)
        .coalesce(1);
    if (duringWrite != null) {
      String writer = Thread.currentThread().getName();
      df = df.map((MapFunction<Row, Row>) r -> {
        Consumer<String> h = duringWrite;
        if (h != null) {
          h.accept(writer);
        }
        return r;
      }, Encoders.row(schema));
    }
    DataFrameWriter<Row> w = df.write().format("delta").mode(SaveMode.Overwrite)
        .partitionBy(MetricHistory.PARTITION)
        // the session may default to dynamic overwrite (conf/spark-defaults.conf), which Delta
        // refuses beside replaceWhere
        .option("partitionOverwriteMode", "static");
    if (newSeriesPending) {
      w = w.option("overwriteSchema", "true");
    } else {
      w = w.option("replaceWhere", replaceWhere(computed));
    }
    try {
      w.save(path);
    } catch (RuntimeException e) {
      Throwable conflict = concurrentModification(e);
      if (conflict != null) {
        throw new RetryableFailure("another run changed the Delta history " + path + " while this "
            + "run was writing it (" + conflict.getClass().getSimpleName() + ": "
            + firstLine(conflict.getMessage()) + "); this run wrote nothing to it. Run it again "
            + "(exit code " + RetryableFailure.EXIT + "): the other run's windows stay, and the "
            + "retry replaces only the windows it computes.", e);
      }
      throw e;
    }
    if (newSeriesPending) {
      log.println("history " + path + ": new series; the previous rows stay readable with "
          + "--as-of (versions before this run's)");
    }
    newSeriesPending = false;
    return read();
  }

  @Override
  public void checkHeld() {
    // nothing held: Delta's commit refuses a conflicting writer
  }

  @Override
  public void close() {
    // nothing held
  }

  /**
   * The history at {@code path} as it stood at {@code asOf}: a version number, or a time
   * (yyyy-MM-dd[ HH:mm[:ss]], session time zone) for the last version committed by then.
   */
  public static List<Metric> readAsOf(SparkSession spark, String path, String asOf) {
    DeltaSupport.require(spark);
    if (!DeltaSupport.isDeltaTable(spark.sparkContext().hadoopConfiguration(), path)) {
      throw new UsageException("--as-of " + asOf + ": there is no Delta history at --history "
          + path + " (yet)");
    }
    DataFrameReader r = spark.read().format("delta");
    if (asOf.matches("\\d+")) {
      long v = Long.parseLong(asOf);
      long[] range = versions(spark, path);
      if (v < range[0] || v > range[1]) {
        throw new UsageException("--as-of " + asOf + ": the Delta history " + path + " has "
            + (range[0] == range[1] ? "only version " + range[0]
                : "versions " + range[0] + " to " + range[1]));
      }
      r = r.option("versionAsOf", v);
    } else {
      r = r.option("timestampAsOf", asOf);
    }
    try {
      return metrics(r.load(path));
    } catch (Exception e) {
      // Delta's AnalysisException (a time before the first commit or after the last) is checked
      throw new UsageException("--as-of " + asOf + ": "
          + JobFailure.rootMessage(e).strip().replaceAll("\\s*\n\\s*", " "), e);
    }
  }

  /** The first and last version of the Delta table at {@code path}. */
  private static long[] versions(SparkSession spark, String path) {
    Row minMax = spark.sql("DESCRIBE HISTORY delta.`" + path.replace("`", "``") + "`")
        .selectExpr("min(version)", "max(version)").first();
    return new long[] {minMax.getLong(0), minMax.getLong(1)};
  }

  /** The rows of a history table, by window then segment (the group-by from its schema). */
  private static List<Metric> metrics(Dataset<Row> table) {
    StructType schema = table.schema();
    List<String> groupBy = Arrays.asList(schema.getFieldIndex(MetricHistory.SEGMENT_VALUES)
        .isDefined() ? ((StructType) schema.apply(MetricHistory.SEGMENT_VALUES).dataType())
            .fieldNames() : new String[0]);
    List<Metric> out = new ArrayList<>();
    for (Row row : table.collectAsList()) {
      out.add(Metric.of(row, groupBy));
    }
    out.sort(MetricHistory.ORDER);
    return out;
  }

  /**
   * The replaceWhere condition of exactly the (window, segment) pairs of {@code computed}: their
   * dates (the partitions, which Delta's conflict check goes by), then each pair as the window
   * start in microseconds and the hex of the segment label (distinct labels for distinct
   * segments), so that no value of the data is quoted into SQL.
   */
  static String replaceWhere(List<Metric> computed) {
    TreeSet<String> dates = new TreeSet<>();
    TreeSet<String> keys = new TreeSet<>();
    HexFormat hex = HexFormat.of().withUpperCase();
    for (Metric m : computed) {
      if (!m.windowDate().matches("\\d{4}-\\d{2}-\\d{2}")) {
        throw new IllegalStateException("window date " + m.windowDate());
      }
      dates.add(m.windowDate());
      keys.add(micros(m.windowStart()) + ":"
          + hex.formatHex(m.segment().getBytes(StandardCharsets.UTF_8)));
    }
    return MetricHistory.PARTITION + " IN ('" + String.join("', '", dates) + "') AND "
        + "concat(CAST(unix_micros(window_start) AS STRING), ':', hex(segment)) IN ('"
        + String.join("', '", keys) + "')";
  }

  private static long micros(Timestamp t) {
    return Math.floorDiv(t.getTime(), 1000L) * 1_000_000L + t.getNanos() / 1000;
  }

  /** Delta's concurrent-modification exception in the chain of {@code t}, or null. */
  static Throwable concurrentModification(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
      String name = c.getClass().getName();
      if (c instanceof java.util.ConcurrentModificationException
          && (name.startsWith("io.delta.") || name.startsWith("org.apache.spark.sql.delta."))) {
        return c;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }

  private Configuration conf() {
    return spark.sparkContext().hadoopConfiguration();
  }
}
