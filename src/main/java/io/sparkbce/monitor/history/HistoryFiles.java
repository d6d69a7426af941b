package io.sparkbce.monitor.history;

import io.sparkbce.job.output.ForklessLocalFileSystem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.HadoopFSUtils;
import scala.Function1;

/**
 * The Parquet files of a history's partitions read and written on the driver, as a task would,
 * but without a Spark job: written by Spark's own Parquet writer ({@link ParquetFileFormat}), read
 * by Spark's row converter on parquet-mr's reader ({@link HistoryFileReader}).
 * A history holds a few rows per window; a job to read them and one to write them cost a run
 * more than the rows themselves (planning, scheduling, the commit protocol: about a third of a
 * second each on an idle machine). The files are those Spark writes and reads, one per partition
 * directory ({@code window_date=D/part-00000-UUID.c000.snappy.parquet}); the rows read are those
 * {@code spark.read().schema(schema).parquet(root)} returns.
 */
final class HistoryFiles {
  static final String IO_BUFFER = "io.file.buffer.size";
  static final int SMALL_BUFFER = 4096;

  private HistoryFiles() {}

  /**
   * The rows of the partitions {@code partitions} ({@code name=value} directories) under
   * {@code root}, in {@code schema} (the partition column last), as Spark's reader gives them:
   * columns missing from a file are NULL. Hidden files ({@code _x}, {@code .x}) are skipped, as
   * Spark's file listing skips them.
   */
  static List<Row> read(SparkSession spark, FileSystem fs, Path root, List<String> partitions,
      StructType schema) throws IOException {
    if (partitions.isEmpty()) {
      return new ArrayList<>();
    }
    StructType data = withoutLast(schema);
    HistoryFileReader reader =
        new HistoryFileReader(spark, smallBuffers(spark.sessionState().newHadoopConf()), data);
    Function1<Object, Object> toRow = CatalystTypeConverters.createToScalaConverter(schema);
    List<Row> out = new ArrayList<>();
    for (String dir : partitions) {
      String value = ExternalCatalogUtils.unescapePathName(
          dir.substring(dir.indexOf('=') + 1));
      InternalRow values = new GenericInternalRow(new Object[] {UTF8String.fromString(value)});
      FileStatus[] files = fs.listStatus(new Path(root, dir));
      Arrays.sort(files);
      for (FileStatus f : files) {
        if (!f.isFile() || HadoopFSUtils.shouldFilterOutPathName(f.getPath().getName())) {
          continue;
        }
        // converted before the reader reuses its row: the external row holds its own values
        reader.read(f, r -> out.add((Row) toRow.apply(new JoinedRow(r, values))));
      }
    }
    return out;
  }

  /**
   * Writes {@code rows} (in {@code schema}, the partition column last) under {@code dir}, one
   * file per partition value, the rows of each in their order here.
   */
  static void write(SparkSession spark, Path dir, StructType schema, List<Row> rows)
      throws IOException {
    String partition = schema.fields()[schema.fields().length - 1].name();
    StructType data = withoutLast(schema);
    Job job = Job.getInstance(
        ForklessLocalFileSystem.in(smallBuffers(spark.sessionState().newHadoopConf())));
    OutputWriterFactory factory = new ParquetFileFormat().prepareWrite(spark, job,
        scala.collection.immutable.Map$.MODULE$.empty(), data);
    TaskAttemptContext context = new TaskAttemptContextImpl(job.getConfiguration(),
        new TaskAttemptID("spark-bce-history", 0, TaskType.MAP, 0, 0));
    Function1<Object, Object> toInternal = CatalystTypeConverters.createToCatalystConverter(data);
    int n = data.fields().length;
    Map<String, List<Row>> byValue = new LinkedHashMap<>();
    for (Row r : rows) {
      byValue.computeIfAbsent(r.getString(n), v -> new ArrayList<>()).add(r);
    }
    String name = "part-00000-" + UUID.randomUUID() + ".c000" + factory.getFileExtension(context);
    List<Map.Entry<String, List<Row>>> files = new ArrayList<>(byValue.entrySet());
    // Two writers, this thread and one of its own, each taking the next partition: a file's
    // writer costs more than its rows (a Parquet writer, its codec, a page and an index per
    // column), and the driver's second core is idle once the windows are computed. Each file is
    // written by one writer in the rows' order, so the bytes are the same.
    AtomicInteger next = new AtomicInteger();
    PartitionWriter writer = context2 -> {
      for (int f; (f = next.getAndIncrement()) < files.size(); ) {
        Map.Entry<String, List<Row>> e = files.get(f);
        Path file = new Path(new Path(dir,
            partition + "=" + ExternalCatalogUtils.escapePathName(e.getKey())), name);
        OutputWriter w = factory.newInstance(file.toString(), data, context2);
        try {
          for (Row r : e.getValue()) {
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
              values[i] = r.get(i);
            }
            w.write((InternalRow) toInternal.apply(RowFactory.create(values)));
          }
        } finally {
          w.close();
        }
      }
    };
    if (files.size() < 2) {
      writer.write(context);
      return;
    }
    // the helper's own copy of the configuration: Hadoop's may change itself when read
    TaskAttemptContext helperContext = new TaskAttemptContextImpl(
        new Configuration(job.getConfiguration()), context.getTaskAttemptID());
    FutureTask<Void> helper = new FutureTask<>(() -> {
      SparkSession.setActiveSession(spark);
      writer.write(helperContext);
      return null;
    });
    Thread t = new Thread(helper, "spark-bce history write");
    t.setDaemon(true);
    t.start();
    try {
      writer.write(context);
    } catch (IOException | RuntimeException e) {
      next.set(files.size()); // the helper stops after its file
      awaitQuietly(helper);
      throw e;
    }
    try {
      helper.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while writing the history");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Writes partitions of the history with the writers' settings in {@code context}. */
  private interface PartitionWriter {
    void write(TaskAttemptContext context) throws IOException;
  }

  private static void awaitQuietly(FutureTask<Void> task) {
    try {
      task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // the first failure is the one reported
    }
  }

  /**
   * {@code conf} with Hadoop's default I/O buffer (4 KiB) rather than Spark's 64 KiB: Parquet's
   * Snappy codec allocates one such buffer per page it compresses or decompresses, a few dozen
   * pages per history file (one or two per column), for pages of a few bytes here. The buffer
   * only sizes the copies through the codec and the file streams: the bytes written are the
   * same.
   */
  static Configuration smallBuffers(Configuration conf) {
    conf.setInt(IO_BUFFER, SMALL_BUFFER);
    return conf;
  }

  private static StructType withoutLast(StructType s) {
    return new StructType(Arrays.copyOf(s.fields(), s.fields().length - 1));
  }
}
