package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.MonitorTesting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history's files read and written on the driver ({@link HistoryFiles}) are those Spark
 * reads and writes: each reader gives the same rows from each writer's files, and a run reads
 * and writes its history without a Spark job.
 */
public class HistoryFilesTest {
  @TempDir
  Path tmp;

  /** A history of 3 days x 2 models, 3 classes (struct segments, arrays, maps, binary state). */
  private Path history() {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(3, 20, 3, 5, 0, d -> 0.5 * d), input, false);
    Path out = tmp.resolve("out");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", out.toString()).assertCode(0);
    return out.resolve("history");
  }

  private static StructType schema(Path history) throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(history.toUri());
    FileSystem fs = root.getFileSystem(spark().sparkContext().hadoopConfiguration());
    return MetricHistory.schema(HistorySeries.read(fs, root).segmentType());
  }

  /** Spark's own reader, as the history was read before. */
  private static List<Row> sparkRead(Path dir, StructType schema) {
    return sorted(spark().read().schema(schema).parquet(dir.toString()).collectAsList());
  }

  private static List<Row> driverRead(Path dir, StructType schema) throws IOException {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.toUri());
    FileSystem fs = root.getFileSystem(spark().sparkContext().hadoopConfiguration());
    List<String> partitions = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("window_date="))
          .sorted().forEach(partitions::add);
    }
    return sorted(HistoryFiles.read(spark(), fs, root, partitions, schema));
  }

  private static List<Row> sorted(List<Row> rows) {
    List<Row> out = new ArrayList<>(rows);
    out.sort(Comparator.comparing((Row r) -> r.getTimestamp(0))
        .thenComparing(r -> r.getString(2)));
    return out;
  }

  @Test
  void bothReadersGiveTheSameRowsFromBothWritersFiles() throws IOException {
    Path history = history();
    StructType schema = schema(history);
    List<Row> bySpark = sparkRead(history, schema);
    assertEquals(6, bySpark.size());
    assertTrue(bySpark.stream().allMatch(r -> !r.isNullAt(r.fieldIndex("state"))
        && !r.isNullAt(r.fieldIndex("quality_per_class"))));
    assertEquals(bySpark, driverRead(history, schema));

    // files Spark writes (as the history was written before), read on the driver
    Path sparkFiles = tmp.resolve("spark-written");
    spark().createDataFrame(bySpark, schema).coalesce(1).write().partitionBy("window_date")
        .parquet(sparkFiles.toString());
    assertEquals(bySpark, driverRead(sparkFiles, schema));

    // files written on the driver, read by Spark: one file per partition, as Spark's write
    Path driverFiles = tmp.resolve("driver-written");
    HistoryFiles.write(spark(), new org.apache.hadoop.fs.Path(driverFiles.toUri()), schema,
        driverRead(history, schema));
    assertEquals(bySpark, sparkRead(driverFiles, schema));
    try (Stream<Path> s = Files.list(driverFiles.resolve("window_date=2025-06-01"))) {
      assertEquals(1, s.filter(p -> p.getFileName().toString().endsWith(".parquet")).count());
    }
  }

  /** The one data file (and its checksum) of each partition under {@code dir}, by partition. */
  private static java.util.Map<String, byte[][]> files(Path dir) throws IOException {
    java.util.Map<String, byte[][]> out = new java.util.TreeMap<>();
    try (Stream<Path> parts = Files.list(dir)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("window_date="))
          .toList()) {
        List<Path> data;
        try (Stream<Path> s = Files.list(p)) {
          data = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
        }
        assertEquals(1, data.size(), p::toString);
        Path crc = p.resolve("." + data.get(0).getFileName() + ".crc");
        out.put(p.getFileName().toString(),
            new byte[][] {Files.readAllBytes(data.get(0)), Files.readAllBytes(crc)});
      }
    }
    return out;
  }

  @Test
  void theDriverWritesTheBytesSparksWriterWrites() throws IOException {
    Path history = history();
    StructType schema = schema(history);
    // by window then segment, as an update writes them
    List<Row> rows = driverRead(history, schema);
    Path sparkFiles = tmp.resolve("spark-written");
    spark().createDataFrame(rows, schema).coalesce(1).write().partitionBy("window_date")
        .parquet(sparkFiles.toString());
    Path driverFiles = tmp.resolve("driver-written");
    HistoryFiles.write(spark(), new org.apache.hadoop.fs.Path(driverFiles.toUri()), schema, rows);

    java.util.Map<String, byte[][]> bySpark = files(sparkFiles);
    java.util.Map<String, byte[][]> byDriver = files(driverFiles);
    assertEquals(3, bySpark.size());
    assertEquals(bySpark.keySet(), byDriver.keySet());
    for (String partition : bySpark.keySet()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(bySpark.get(partition)[0],
          byDriver.get(partition)[0], partition);
      org.junit.jupiter.api.Assertions.assertArrayEquals(bySpark.get(partition)[1],
          byDriver.get(partition)[1], partition + " checksum");
    }
  }

  @Test
  void aRunReadsAndWritesItsHistoryWithoutASparkJob() throws Exception {
    Path history = history();
    SparkSession spark = spark();
    List<String> descriptions = new java.util.concurrent.CopyOnWriteArrayList<>();
    SparkListener jobs = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart e) {
        descriptions.add(String.valueOf(e.properties().getProperty("spark.job.description")));
      }
    };
    spark.sparkContext().addSparkListener(jobs);
    try {
      // the second run reads the first run's rows and rewrites their partitions
      run("monitor", "--input", tmp.resolve("in").toString(), "--time-col", "ts", "--group-by",
          "model", "--output", history.getParent().toString()).assertCode(0);
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000L);
    } finally {
      spark.sparkContext().removeSparkListener(jobs);
    }
    assertTrue(descriptions.stream().anyMatch(d -> d.contains("evaluating")),
        descriptions::toString);
    assertTrue(descriptions.stream().noneMatch(d -> d.contains("history")),
        descriptions::toString);
  }
}
