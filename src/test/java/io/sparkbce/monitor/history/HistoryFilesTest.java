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
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
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

  /**
   * Rows with every column of the history's schema NULL where it may be (and NULL elements,
   * empty arrays and maps, a typed segment of several types), written by Spark with each of its
   * timestamp encodings, and files that lack columns (an older history's): the driver's reader
   * gives what Spark's reader gives, row for row.
   */
  @Test
  void theDriversReaderGivesSparksRowsWithNullsEveryTypeAndMissingColumns() throws IOException {
    StructType segment = new StructType().add("model", DataTypes.StringType, true)
        .add("k", DataTypes.IntegerType, true).add("day", DataTypes.DateType, true)
        .add("at", DataTypes.TimestampType, true).add("score", DataTypes.DoubleType, true);
    StructType schema = MetricHistory.schema(segment);
    java.sql.Timestamp t0 = java.sql.Timestamp.valueOf("2025-06-01 00:00:00");
    java.sql.Timestamp t1 = java.sql.Timestamp.valueOf("2025-06-02 00:00:00");
    java.sql.Timestamp old = java.sql.Timestamp.valueOf("1500-03-01 12:34:56.789012");
    Row full = Row.fromSeq(scala.jdk.javaapi.CollectionConverters.asScala(List.<Object>of(
        t0, t1, "model=a, k=1", RowFactory.create("a", 1, java.sql.Date.valueOf("2025-06-01"),
            old, -0.0),
        "mean", 0.25, 0.5, 10L, 9L, 1L, java.util.Map.of("invalid_label", 1L), 9L,
        new Double[] {1.0, Double.NaN}, new Double[] {0.1, Double.NEGATIVE_INFINITY},
        new Double[] {2.0, 3.0}, RowFactory.create(0.9, 1.1, 0.3, 0.4),
        new Object[] {RowFactory.create(0.9, null, 0.3, 0.4), null},
        new byte[] {0, 1, 2, (byte) 255}, t1, "2025-06-01")).toSeq());
    List<Object> nulls = new ArrayList<>(List.<Object>of(t1, t1, "model=NULL", RowFactory.create(
        null, null, null, null, null), "mean"));
    nulls.addAll(java.util.Arrays.asList(null, null, 0L, 0L, 0L, java.util.Map.of(), 0L, null,
        new Double[] {null}, null, null, new Object[0], null, old, "2025-06-02"));
    Row empty = RowFactory.create(nulls.toArray());
    List<Row> rows = List.of(full, empty);

    SparkSession spark = spark();
    String encoding = spark.conf().get("spark.sql.parquet.outputTimestampType");
    try {
      for (String type : List.of("INT96", "TIMESTAMP_MICROS", "TIMESTAMP_MILLIS")) {
        spark.conf().set("spark.sql.parquet.outputTimestampType", type);
        Path dir = tmp.resolve("written-" + type);
        spark.createDataFrame(rows, schema).coalesce(1).write().partitionBy("window_date")
            .parquet(dir.toString());
        List<Row> bySpark = sparkRead(dir, schema);
        assertEquals(2, bySpark.size());
        assertEquals(canonical(bySpark), canonical(driverRead(dir, schema)), type);
        // independent of either reader: the values written
        Row readFull = bySpark.get(0);
        assertTrue(java.util.Arrays.equals(new byte[] {0, 1, 2, (byte) 255},
            (byte[]) readFull.getAs("state")), type);
        assertTrue(bySpark.get(1).isNullAt(bySpark.get(1).fieldIndex("loss")), type);
      }
    } finally {
      spark.conf().set("spark.sql.parquet.outputTimestampType", encoding);
    }

    // an older history's files, without the columns added since: NULL there, for both readers
    StructType older = new StructType(java.util.Arrays.stream(schema.fields())
        .filter(f -> !f.name().startsWith("quality") && !f.name().equals("state"))
        .toArray(org.apache.spark.sql.types.StructField[]::new));
    Path dir = tmp.resolve("older");
    spark.createDataFrame(rows, schema).select(java.util.Arrays.stream(older.fieldNames())
        .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new))
        .coalesce(1).write().partitionBy("window_date").parquet(dir.toString());
    List<Row> bySpark = sparkRead(dir, schema);
    assertEquals(2, bySpark.size());
    assertTrue(bySpark.get(0).isNullAt(bySpark.get(0).fieldIndex("state")));
    assertEquals(canonical(bySpark), canonical(driverRead(dir, schema)));
  }

  /**
   * Values as text that tells apart what Row.equals does not look into: binary by its bytes,
   * doubles by their bits (NaN, -0.0) inside arrays and structs too, and each value's class.
   */
  private static String canonical(Object v) {
    if (v == null) {
      return "NULL";
    }
    if (v instanceof Row r) {
      StringBuilder b = new StringBuilder("Row(");
      for (int i = 0; i < r.length(); i++) {
        b.append(canonical(r.get(i))).append(i + 1 < r.length() ? ", " : "");
      }
      return b.append(')').toString();
    }
    if (v instanceof List<?> l) {
      return "List" + l.stream().map(HistoryFilesTest::canonical).toList();
    }
    if (v instanceof scala.collection.Iterable<?> it) {
      return canonical(new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(
          it.toSeq())));
    }
    if (v instanceof scala.Tuple2<?, ?> t) {
      return canonical(t._1()) + "->" + canonical(t._2());
    }
    if (v instanceof byte[] bytes) {
      return "bytes" + java.util.Arrays.toString(bytes);
    }
    if (v instanceof Double d) {
      return "double:" + Long.toHexString(Double.doubleToRawLongBits(d));
    }
    return v.getClass().getSimpleName() + ":" + v;
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
