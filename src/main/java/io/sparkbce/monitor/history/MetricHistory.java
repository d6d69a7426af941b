package io.sparkbce.monitor.history;

import io.sparkbce.job.JobFailure;
import io.sparkbce.job.output.ForklessLocalFileSystem;
import io.sparkbce.loss.QualityAccumulator;
import io.sparkbce.loss.Reduction;
import io.sparkbce.monitor.SegmentLabel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
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
 * date of the window's start, yyyy-MM-dd), one row per window and segment. A segment is keyed by
 * the typed values of the group-by columns ({@code segment_values}, a struct; absent without
 * group-by); {@code segment} is its label for people ({@link SegmentLabel}). The history's
 * reduction, window, pos_weight and group-by types are recorded in {@link HistorySeries}.
 *
 * <p>Updates replace: rows of a recomputed (window, segment) are dropped and the new ones added.
 * Only the partitions (window dates) touched are rewritten: their complete new content is written
 * (on the driver, by Spark's Parquet writer: {@link HistoryFiles}) under a hidden staging
 * directory ({@code .staging-UUID}, ignored by readers); then each partition directory is swapped
 * in with two renames (the old one moved to a hidden {@code .trash-UUID} directory first). A run
 * that fails before the swap leaves the history as it was; one that dies between the two renames
 * of a partition leaves that partition in the trash, and the next writer moves it back first
 * ({@link #recover}). Writers hold the history's lock ({@link HistoryLock}, through {@link
 * OpenHistory}): recovery never touches a live writer's files.
 */
public final class MetricHistory {
  static final String PARTITION = "window_date";
  static final String SEGMENT_VALUES = "segment_values";
  static final String STATE = "state";
  /** Where {@code --new-series} keeps the rows of the previous series (ignored by readers). */
  static final String PREVIOUS = "_previous";

  /** Test hook: called with the staging directory once it is complete, before any swap. */
  static volatile Consumer<String> beforeSwap;
  /** Test hook: called with each partition directory after its old version was moved aside. */
  static volatile Consumer<String> midSwap;

  /** The table's schema for segments of {@code segmentType} (the group-by columns). */
  static StructType schema(StructType segmentType) {
    StructType s = new StructType()
        .add("window_start", DataTypes.TimestampType, false)
        .add("window_end", DataTypes.TimestampType, false)
        .add("segment", DataTypes.StringType, false);
    if (segmentType.fields().length > 0) {
      s = s.add(SEGMENT_VALUES, segmentType, false);
    }
    return s.add("reduction", DataTypes.StringType, false)
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
        .add("pos_weight", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
        .add("quality", Quality.TYPE, true)
        .add("quality_per_class", DataTypes.createArrayType(Quality.TYPE, true), true)
        .add(STATE, DataTypes.BinaryType, true)
        .add("computed_at", DataTypes.TimestampType, false)
        .add(PARTITION, DataTypes.StringType, false);
  }

  /**
   * One window of one segment: {@code segmentValues} the group-by values (null without
   * group-by), {@code segment} their label ({@link SegmentLabel}); {@code posWeight} the
   * pos_weight its loss used (null: none); {@code state} the exact sums every value here is
   * computed from ({@link QualityAccumulator}; null in rows of older histories and without
   * elements).
   */
  public record Metric(Timestamp windowStart, Timestamp windowEnd, String segment, Row segmentValues,
      String reduction, Double loss, Double weightedMeanLoss, long rows, long rowsUsed,
      long rowsSkipped, Map<String, Long> skippedByReason, long elements,
      List<Double> positivesPerClass, List<Double> lossPerClass, List<Double> posWeight,
      Quality quality, List<Quality> qualityPerClass, byte[] state, Timestamp computedAt,
      String windowDate) {

    /**
     * A window's metric from its row counts and its exact state ({@code state} null: no
     * elements), every value computed by {@link QualityAccumulator}, so that a window computed
     * from the data and one merged from finer windows' states are the same bits.
     */
    public static Metric of(Timestamp windowStart, Timestamp windowEnd, String segment,
        Row segmentValues, Reduction reduction, long rows, long rowsUsed,
        Map<String, Long> skippedByReason, long elements, double[] posWeight, byte[] state,
        Timestamp computedAt, String windowDate) {
      QualityAccumulator s =
          state == null ? new QualityAccumulator() : QualityAccumulator.fromBytes(state);
      boolean classes = s.classCount() > 0;
      return new Metric(windowStart, windowEnd, segment, segmentValues, reduction.sqlName(),
          s.loss(reduction), s.loss(Reduction.WEIGHTED_MEAN), rows, rowsUsed, rows - rowsUsed,
          skippedByReason, elements, classes ? boxed(s.targetsPerClass()) : null,
          classes ? Arrays.asList(s.lossPerClass(reduction)) : null, boxed(posWeight),
          Quality.of(s), classes ? Quality.perClass(s) : null, state, computedAt, windowDate);
    }

    private static List<Double> boxed(double[] a) {
      return a == null ? null : Arrays.stream(a).boxed().toList();
    }

    Row row() {
      List<Object> v = new ArrayList<>(List.of(windowStart, windowEnd, segment));
      if (segmentValues != null) {
        v.add(segmentValues);
      }
      v.addAll(Arrays.asList(reduction, loss, weightedMeanLoss, rows, rowsUsed, rowsSkipped,
          skippedByReason, elements, array(positivesPerClass), array(lossPerClass),
          array(posWeight), quality == null ? null : quality.row(),
          qualityPerClass == null ? null : qualityPerClass.stream().map(Quality::row).toArray(),
          state, computedAt, windowDate));
      return RowFactory.create(v.toArray());
    }

    private static Double[] array(List<Double> l) {
      return l == null ? null : l.toArray(new Double[0]);
    }

    static Metric of(Row r, List<String> groupBy) {
      Row values = groupBy.isEmpty() ? null : r.getStruct(r.fieldIndex(SEGMENT_VALUES));
      Map<String, Long> skipped =
          new LinkedHashMap<>(r.getJavaMap(r.fieldIndex("skipped_by_reason")));
      return new Metric(r.getAs("window_start"), r.getAs("window_end"),
          // the label again from the typed values: one format within a run, whatever wrote it
          SegmentLabel.of(groupBy, values), values, r.getAs("reduction"),
          r.getAs("loss"), r.getAs("weighted_mean_loss"), r.<Long>getAs("rows"),
          r.<Long>getAs("rows_used"), r.<Long>getAs("rows_skipped"), skipped,
          r.<Long>getAs("elements"), list(r, "positives_per_class"), list(r, "loss_per_class"),
          list(r, "pos_weight"), Quality.of(r.<Row>getAs("quality")), qualities(r),
          r.getAs(STATE), r.getAs("computed_at"), r.getAs(PARTITION));
    }

    private static List<Double> list(Row r, String field) {
      int i = r.fieldIndex(field);
      return r.isNullAt(i) ? null : r.getList(i);
    }

    private static List<Quality> qualities(Row r) {
      int i = r.fieldIndex("quality_per_class");
      return r.isNullAt(i) ? null
          : r.<Row>getList(i).stream().map(Quality::of).toList();
    }

    /** Window and segment: labels are distinct for distinct segments of one history. */
    public String key() {
      return windowStart.getTime() + "|" + segment;
    }
  }

  public static final Comparator<Metric> ORDER = Comparator.comparing(Metric::windowStart)
      .thenComparing(Metric::segment);

  private MetricHistory() {}

  /** All rows of the history at {@code path}, with the series it records; empty if none. */
  public static List<Metric> read(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      HistorySeries series = HistorySeries.read(fs, p);
      if (series == null) {
        if (hasRows(fs, p)) {
          throw new JobFailure("the history " + path + " records no series (written by an "
              + "older spark-bce)");
        }
        return new ArrayList<>();
      }
      return read(spark, path, series);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + path + ": " + e, e);
    }
  }

  /**
   * All rows of the history at {@code path} (of {@code series}), by window then segment; empty if
   * there is none. Reads only: repairs are left to the next writer.
   */
  public static List<Metric> read(SparkSession spark, String path, HistorySeries series) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<Row> rows;
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      p = fs.makeQualified(p);
      rows = HistoryFiles.read(spark, fs, p, partitions(fs, p), schema(series.segmentType()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + path + ": " + e, e);
    }
    List<Metric> out = new ArrayList<>();
    List<String> groupBy = series.groupBy();
    for (Row r : rows) {
      out.add(Metric.of(r, groupBy));
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * Merges {@code computed} into {@code old}, the history at {@code path}: each (window, segment)
   * computed replaces the row of the same window and segment, if any; other segments' rows, in the
   * same windows too, stay. Returns the new history. The caller holds the history's lock.
   */
  static List<Metric> update(SparkSession spark, String path, HistorySeries series,
      List<Metric> old, List<Metric> computed) {
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

    Configuration conf = ForklessLocalFileSystem.in(spark.sparkContext().hadoopConfiguration());
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      fs.mkdirs(root);
      String id = UUID.randomUUID().toString();
      Path staging = new Path(root, ".staging-" + id);
      Path trash = new Path(root, ".trash-" + id);
      try {
        HistoryFiles.write(spark, staging, schema(series.segmentType()),
            rewrite.stream().map(Metric::row).toList());
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

  /**
   * Moves back partitions that a crashed update left in a trash directory without a successor, and
   * removes the staging directories of dead writers. Only under the history's lock: no writer is
   * alive then but the caller.
   */
  static void recover(FileSystem fs, Path root) throws IOException {
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

  /**
   * Moves every partition and the series record of the history at {@code root} under
   * {@code _previous/NAME/} (kept, not read): the history starts a new series.
   */
  static Path archive(FileSystem fs, Path root, String name) throws IOException {
    Path to = new Path(new Path(root, PREVIOUS), name);
    fs.mkdirs(to);
    for (String p : partitions(fs, root)) {
      if (!fs.rename(new Path(root, p), new Path(to, p))) {
        throw new IOException("cannot move " + new Path(root, p) + " to " + to);
      }
    }
    Path series = new Path(root, HistorySeries.NAME);
    if (fs.exists(series) && !fs.rename(series, new Path(to, HistorySeries.NAME))) {
      throw new IOException("cannot move " + series + " to " + to);
    }
    return to;
  }

  static boolean hasRows(FileSystem fs, Path root) throws IOException {
    return !partitions(fs, root).isEmpty();
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
