package io.sparkbce.monitor.history;

import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A metric history opened by one {@code monitor} run for writing, whatever stores it: a Parquet
 * directory ({@link OpenHistory}: one writer at a time, under a lock) or a Delta table ({@link
 * DeltaHistory}: writers at once, each update one transaction, a conflicting one refused). Both
 * hold the same columns ({@link MetricHistory#schema}) and the same series record
 * ({@link HistorySeries}).
 */
public interface HistoryStore extends AutoCloseable {
  /** How a history is stored ({@code --history-format}). */
  enum Format {
    PARQUET, DELTA;

    /** The format named by {@code --history-format}; a usage error for anything else. */
    public static Format of(String text) {
      for (Format f : values()) {
        if (f.name().equalsIgnoreCase(text.trim())) {
          return f;
        }
      }
      throw new UsageException("--history-format is parquet (the default) or delta, got '" + text
          + "'");
    }

    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The series this run writes. */
  HistorySeries series();

  /** The values of {@code --pos-weight auto} frozen in this history, or null if none yet. */
  double[] frozenPosWeight();

  /** Freezes the values of {@code --pos-weight auto} into the series, written with the rows. */
  void freezePosWeight(double[] values);

  /** The history's rows, by window then segment (none when this run starts a new series). */
  List<Metric> read();

  /**
   * Replaces the rows of each (window, segment) of {@code computed}, and only those, and returns
   * the history as it is then.
   */
  List<Metric> update(List<Metric> computed);

  /** Fails if this run may no longer write (a Parquet history's lock was lost). */
  void checkHeld();

  @Override
  void close();

  /**
   * Opens the history at {@code path} stored as {@code format} for one run (see {@link
   * OpenHistory#open} and {@link DeltaHistory#open}); a path holding the other format is refused.
   */
  static HistoryStore open(SparkSession spark, Format format, String path, HistorySeries series,
      boolean newSeries, Duration lockWait, PrintStream log) {
    boolean delta = DeltaSupport.isDeltaTable(spark.sparkContext().hadoopConfiguration(), path);
    if (format == Format.PARQUET && delta) {
      throw new UsageException("--history " + path + " is a Delta table: give --history-format "
          + "delta");
    }
    if (format == Format.DELTA) {
      return DeltaHistory.open(spark, path, series, newSeries, log);
    }
    return OpenHistory.open(spark, path, series, newSeries, lockWait, log);
  }

  /** Whether a Parquet history (its partitions or series record) is at {@code root}. */
  static boolean holdsParquetHistory(FileSystem fs, Path root) {
    try {
      return MetricHistory.hasRows(fs, root) || fs.exists(new Path(root, HistorySeries.NAME));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the history " + root + ": " + e, e);
    }
  }
}
