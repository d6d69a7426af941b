package io.sparkbce.monitor.history;

import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A metric history opened by one {@code monitor} run for writing: under its lock
 * ({@link HistoryLock}) for the whole run, repaired after a crashed writer, and checked against the
 * run's series ({@link HistorySeries}) before any work. Reads and updates go through it.
 */
public final class OpenHistory implements HistoryStore {
  private static final DateTimeFormatter ARCHIVE_NAME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final SparkSession spark;
  private final String path;
  private final FileSystem fs;
  private final Path root;
  private final RunSeries series;
  private final HistoryLock lock;
  private final PrintStream log;
  /** With --new-series, until the first update has moved the previous series aside. */
  private boolean archivePending;
  /**
   * The history's rows as they were when it was opened, read on a thread of their own while the
   * run plans and computes its windows (the driver's other core is idle then); taken by the first
   * read, null after it or when nothing was read ahead.
   */
  private FutureTask<List<Metric>> readAhead;

  private OpenHistory(SparkSession spark, String path, FileSystem fs, Path root,
      HistorySeries series, HistorySeries recorded, HistoryLock lock, boolean newSeries,
      PrintStream log) {
    this.spark = spark;
    this.path = path;
    this.fs = fs;
    this.root = root;
    this.series = new RunSeries(series, recorded);
    this.lock = lock;
    this.archivePending = newSeries;
    this.log = log;
  }

  /**
   * Locks the history at {@code path} (waiting up to {@code lockWait}), repairs what a crashed
   * writer left, and refuses a run whose series differs from the history's unless
   * {@code newSeries}.
   */
  public static OpenHistory open(SparkSession spark, String path, HistorySeries series,
      boolean newSeries, Duration lockWait, PrintStream log) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    HistoryLock lock = HistoryLock.acquire(conf, path, lockWait, log);
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      MetricHistory.recover(fs, root);
      HistorySeries recorded = null;
      if (!newSeries && MetricHistory.hasRows(fs, root)) {
        recorded = HistorySeries.read(fs, root);
        check(path, recorded, series);
      }
      OpenHistory open =
          new OpenHistory(spark, path, fs, root, series, recorded, lock, newSeries, log);
      if (recorded != null) {
        open.readAhead();
      }
      return open;
    } catch (IOException e) {
      lock.close();
      throw new UncheckedIOException("cannot open the history " + path + ": " + e, e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private static void check(String path, HistorySeries recorded, HistorySeries run) {
    check(path, recorded, run, " Give another --history, or --new-series to start a new series in"
        + " this one (the rows there now are kept under " + path.replaceAll("/+$", "") + "/"
        + MetricHistory.PREVIOUS + "/, and no longer read).");
  }

  /** Refuses a run whose series differs from the history's; {@code fix} says what to do. */
  static void check(String path, HistorySeries recorded, HistorySeries run, String fix) {
    if (recorded == null || recorded.format() != HistorySeries.FORMAT) {
      throw new UsageException("the history " + path + " was written by an older spark-bce: its "
          + "segments are text labels (col=value,...), which can name two groups alike, and it "
          + "records no reduction, window or pos_weight, so it is not migrated." + fix);
    }
    List<String> diff = recorded.differences(run);
    if (!diff.isEmpty()) {
      throw new UsageException("the history " + path + " holds another series than this run: "
          + String.join("; ", diff) + "." + fix);
    }
  }

  /** The series this run writes. */
  @Override
  public HistorySeries series() {
    return series.series();
  }

  /** The values of {@code --pos-weight auto} frozen in this history, or null if none yet. */
  @Override
  public double[] frozenPosWeight() {
    return series.frozenPosWeight();
  }

  /** Freezes the values of {@code --pos-weight auto} into the series, written with the rows. */
  @Override
  public void freezePosWeight(double[] values) {
    series.freeze(values);
  }

  /**
   * Starts reading the history's rows on a daemon thread of its own. Under the lock, and only this
   * run writes the history: the rows stay what they are until its first update, which takes them.
   */
  private void readAhead() {
    HistorySeries s = series.series();
    readAhead = new FutureTask<>(() -> {
      // the session's settings on this thread too (how the rows' times are converted)
      SparkSession.setActiveSession(spark);
      return MetricHistory.read(spark, path, s);
    });
    Thread t = new Thread(readAhead, "spark-bce history read");
    t.setDaemon(true);
    t.start();
  }

  /** The history's rows (none when this run starts a new series). */
  @Override
  public List<Metric> read() {
    if (archivePending) {
      return new java.util.ArrayList<>();
    }
    FutureTask<List<Metric>> ahead = readAhead;
    if (ahead != null) {
      readAhead = null;
      try {
        return ahead.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the history " + path, e);
      } catch (ExecutionException e) {
        // what the read would have thrown on this thread
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
    return MetricHistory.read(spark, path, series.series());
  }

  /** Merges {@code computed} into the history (see {@link MetricHistory#update}). */
  @Override
  public List<Metric> update(List<Metric> computed) {
    List<Metric> old = read();
    if (computed.isEmpty()) {
      return MetricHistory.update(spark, path, series.series(), old, computed);
    }
    lock.checkHeld();
    try {
      if (archivePending && MetricHistory.hasRows(fs, root)) {
        Path to = MetricHistory.archive(fs, root,
            ARCHIVE_NAME.format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8));
        log.println("history " + path + ": new series; the previous rows are kept under " + to);
      }
      archivePending = false;
      boolean changed = series.takeChanged();
      if (changed || !MetricHistory.hasRows(fs, root)) {
        series.series().write(spark.sparkContext().hadoopConfiguration(), root);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update the history " + path + ": " + e, e);
    }
    return MetricHistory.update(spark, path, series.series(), old, computed);
  }

  /** Fails if the lock was lost (see {@link HistoryLock#checkHeld}). */
  @Override
  public void checkHeld() {
    lock.checkHeld();
  }

  @Override
  public void close() {
    FutureTask<List<Metric>> ahead = readAhead;
    readAhead = null;
    try {
      if (ahead != null) {
        // no read of this run outlives its lock; the rows and any failure are not needed now
        try {
          ahead.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
          // the run ended before it needed the rows
        }
      }
    } finally {
      lock.close();
    }
  }
}
