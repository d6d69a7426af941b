package io.sparkbce.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The metric history of {@code monitor}: a Parquet table partitioned by {@code window_date} (the
 * date of the window's start, yyyy-MM-dd), one row per window and segment.
 *
 * <p>Updates replace: rows of a recomputed (window, segment) are dropped and the new ones added.
 * Only the partitions (window dates) touched are rewritten: their complete new content is written
 * by Spark under a hidden staging directory ({@code .staging-UUID}, ignored by readers); then each
 * partition directory is swapped in with two renames (the old one moved to a hidden {@code
 * .trash-UUID} directory first). A run that fails before the swap leaves the history as it was; one
 * that dies between the two renames of a partition leaves that partition in the trash, and the
 * next update (or read through {@link #read}) moves it back first.
 */
final class MetricHistory {
  static final String PARTITION = "window_date";

  /** Test hook: called with the staging directory once it is complete, before any swap. */
  static volatile Consumer<String> beforeSwap;
  /** Test hook: called with each partition directory after its old version was moved aside. */
  static volatile Consumer<String> midSwap;

  static final StructType SCHEMA = new StructType()
      .add("window_start", DataTypes.TimestampType, false)
      .add("window_end", DataTypes.TimestampType, false)
      .add("segment", DataTypes.StringType, false)
      .add("reduction", DataTypes.StringType, false)
      .add("loss", DataTypes.DoubleType, true)
      .add("weighted_mean_loss", DataTypes.DoubleType, true)
      .add("rows", DataTypes.LongType, false)
      .add("rows_used", DataTypes.LongType, false)
      .add("rows_skipped", DataTypes.LongType, false)
      .add("skipped_by_reason",
          DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), false)
      .add("elements", DataTypes.LongType, false)
      .add("positives_per_class", DataTypes.createArrayType(DataTypes.DoubleType), true)
      .add("loss_per_class", DataTypes.createArrayType(DataTypes.DoubleType), true)
      .add("computed_at", DataTypes.TimestampType, false)
      .add(PARTITION, DataTypes.StringType, false);

  /** One window of one segment ("all" without --group-by, else "col=value,col=value"). */
  record Metric(Timestamp windowStart, Timestamp windowEnd, String segment, String reduction,
      Double loss, Double weightedMeanLoss, long rows, long rowsUsed, long rowsSkipped,
      Map<String, Long> skippedByReason, long elements, List<Double> positivesPerClass,
      List<Double> lossPerClass, Timestamp computedAt, String windowDate) {

    Row row() {
      return RowFactory.create(windowStart, windowEnd, segment, reduction, loss,
          weightedMeanLoss, rows, rowsUsed, rowsSkipped,
          skippedByReason, elements,
          positivesPerClass == null ? null : positivesPerClass.toArray(new Double[0]),
          lossPerClass == null ? null : lossPerClass.toArray(new Double[0]), computedAt,
          windowDate);
    }

    static Metric of(Row r) {
      Map<String, Long> skipped = new LinkedHashMap<>(r.getJavaMap(9));
      return new Metric(r.getTimestamp(0), r.getTimestamp(1), r.getString(2), r.getString(3),
          r.isNullAt(4) ? null : r.getDouble(4), r.isNullAt(5) ? null : r.getDouble(5),
          r.getLong(6), r.getLong(7), r.getLong(8), skipped, r.getLong(10),
          r.isNullAt(11) ? null : r.getList(11), r.isNullAt(12) ? null : r.getList(12),
          r.getTimestamp(13), r.getString(14));
    }

    String key() {
      return windowStart.getTime() + "|" + segment;
    }
  }

  static final Comparator<Metric> ORDER = Comparator.comparing(Metric::windowStart)
      .thenComparing(Metric::segment);

  private MetricHistory() {}

  /** All rows of the history at {@code path}, by window then segment; empty if there is none. */
  static List<Metric> read(SparkSession spark, String path) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      recover(fs, p);
      if (partitions(fs, p).isEmpty()) {
        return new ArrayList<>();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + path + ": " + e, e);
    }
    List<Metric> out = new ArrayList<>();
    for (Row r : spark.read().schema(SCHEMA).parquet(path).collectAsList()) {
      out.add(Metric.of(r));
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * Merges {@code computed} into the history at {@code path}: each (window, segment) computed
   * replaces the history's row of the same window and segment, if any. Returns the new history.
   */
  static List<Metric> update(SparkSession spark, String path, List<Metric> computed) {
    List<Metric> old = read(spark, path);
    Set<String> replaced = new HashSet<>();
    Set<String> dates = new TreeSet<>();
    for (Metric m : computed) {
      replaced.add(m.key());
      dates.add(m.windowDate());
    }
    List<Metric> merged = new ArrayList<>();
    List<Metric> rewrite = new ArrayList<>(computed);
    for (Metric m : old) {
      if (!replaced.contains(m.key())) {
        merged.add(m);
        if (dates.contains(m.windowDate())) {
          rewrite.add(m);
        }
      }
    }
    merged.addAll(computed);
    merged.sort(ORDER);
    if (computed.isEmpty()) {
      return merged;
    }
    rewrite.sort(ORDER);

    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      fs.mkdirs(root);
      String id = UUID.randomUUID().toString();
      Path staging = new Path(root, ".staging-" + id);
      Path trash = new Path(root, ".trash-" + id);
      try {
        List<Row> rows = rewrite.stream().map(Metric::row).toList();
        spark.createDataFrame(rows, SCHEMA).coalesce(1).write().partitionBy(PARTITION)
            .parquet(staging.toString());
        hook(beforeSwap, staging.toString());
        fs.mkdirs(trash);
        for (String d : dates) {
          String name = PARTITION + "=" + d;
          Path target = new Path(root, name);
          Path aside = new Path(trash, name);
          if (fs.exists(target) && !fs.rename(target, aside)) {
            throw new IOException("cannot move " + target + " aside");
          }
          hook(midSwap, target.toString());
          if (!fs.rename(new Path(staging, name), target)) {
            if (fs.exists(aside)) {
              fs.rename(aside, target);
            }
            throw new IOException("cannot move the new " + target + " into place");
          }
        }
        fs.delete(trash, true);
      } finally {
        fs.delete(staging, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update the history " + path + ": " + e, e);
    }
    return merged;
  }

  /** Moves back partitions that a crashed update left in a trash directory without a successor. */
  private static void recover(FileSystem fs, Path root) throws IOException {
    if (!fs.exists(root)) {
      return;
    }
    for (FileStatus s : fs.listStatus(root)) {
      String n = s.getPath().getName();
      if (s.isDirectory() && n.startsWith(".trash-")) {
        for (FileStatus part : fs.listStatus(s.getPath())) {
          Path target = new Path(root, part.getPath().getName());
          if (!fs.exists(target)) {
            fs.rename(part.getPath(), target);
          }
        }
        fs.delete(s.getPath(), true);
      } else if (s.isDirectory() && n.startsWith(".staging-")) {
        fs.delete(s.getPath(), true);
      }
    }
  }

  private static List<String> partitions(FileSystem fs, Path root) throws IOException {
    List<String> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    for (FileStatus s : fs.listStatus(root)) {
      if (s.isDirectory() && s.getPath().getName().startsWith(PARTITION + "=")) {
        out.add(s.getPath().getName());
      }
    }
    return out;
  }

  private static void hook(Consumer<String> h, String arg) {
    if (h != null) {
      h.accept(arg);
    }
  }
}
