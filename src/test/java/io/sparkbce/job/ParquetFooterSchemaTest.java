package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sparkbce.testing.TestSpark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetFooterSchema} gives what Spark's own inference gives (its schema job), for Spark's
 * files and for files without a Spark schema under the session's Parquet settings, and stands
 * aside (null) where a given schema would change what Spark reads.
 */
class ParquetFooterSchemaTest {
  private static final SparkSession spark = TestSpark.session();
  @TempDir
  static Path tmp;

  private static Dataset<Row> sample() {
    return spark.sql("SELECT id, CAST(id AS DOUBLE) / 7 AS x, array(CAST(id AS FLOAT)) AS xs,"
        + " CAST(id % 2 AS BOOLEAN) AS y, CAST(id AS DECIMAL(20, 3)) AS d,"
        + " concat('s', id) AS s, date_add(DATE'2025-06-01', CAST(id % 3 AS INT)) AS day,"
        + " TIMESTAMP'2025-06-01 10:00:00' + make_interval(0, 0, 0, 0, CAST(id AS INT)) AS ts,"
        + " named_struct('a', id, 'b', map('k', id)) AS st, CAST(id % 3 AS INT) AS part"
        + " FROM range(20)");
  }

  /** Spark's inference of {@code path}, and the footer's; both non-null and equal. */
  private static void sameAsSpark(String path) {
    StructType inferred = spark.read().parquet(path).schema();
    StructType footer = ParquetFooterSchema.of(spark, path);
    assertNotNull(footer, path);
    assertEquals(inferred.json(), footer.json(), path);
  }

  @Test
  void sparksFilesAsSparkInfersThem() {
    String dir = tmp.resolve("plain").toString();
    sample().repartition(3).write().parquet(dir);
    sameAsSpark(dir);
    sameAsSpark(dir + "/");
    // INT96 timestamps (Spark's default) and an MLlib vector (a UDT in Spark's schema string).
    String int96 = tmp.resolve("int96").toString();
    spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2), java.sql.Timestamp
        .valueOf("2025-06-01 10:00:00"))), new StructType()
        .add("v", new org.apache.spark.ml.linalg.VectorUDT())
        .add("ts", org.apache.spark.sql.types.DataTypes.TimestampType))
        .write().parquet(int96);
    sameAsSpark(int96);
    // One file of the directory, given as the input.
    String file = spark.read().parquet(dir).inputFiles()[0];
    sameAsSpark(file);
  }

  @Test
  void inputDataReadsTheSameRows() {
    String dir = tmp.resolve("rows").toString();
    sample().write().parquet(dir);
    EvaluateOptions o = EvaluateOptions.parse(new String[] {"--input", dir});
    Dataset<Row> df = InputData.load(spark, o).df;
    Dataset<Row> expected = spark.read().parquet(dir);
    assertEquals(expected.schema().json(), df.schema().json());
    assertEquals(sorted(expected), sorted(df));
    assertEquals(List.of(), InputData.load(spark, o).partitionColumns);
  }

  private static List<String> sorted(Dataset<Row> df) {
    List<String> rows = new ArrayList<>();
    df.collectAsList().forEach(r -> rows.add(r.toString()));
    rows.sort(null);
    return rows;
  }

  @Test
  void filesWithoutSparksSchemaUnderTheSessionsSettings() throws Exception {
    String dir = tmp.resolve("plain-parquet").toString();
    MessageType type = MessageTypeParser.parseMessageType("message m { required double x;"
        + " optional binary raw; optional binary name (STRING); optional int96 t96;"
        + " optional int64 micros (TIMESTAMP(MICROS,false)); optional group xs (LIST) {"
        + " repeated group list { optional float element; } } }");
    Configuration conf = new Configuration();
    org.apache.parquet.hadoop.example.GroupWriteSupport.setSchema(type, conf);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
        new org.apache.hadoop.fs.Path(dir, "part-0.parquet")).withConf(conf).withType(type)
        .build()) {
      w.write(new SimpleGroupFactory(type).newGroup().append("x", 1.5).append("name", "a"));
    }
    // A type Spark refuses: Spark's inference reports it, as before.
    String nanos = tmp.resolve("nanos").toString();
    MessageType nanosType = MessageTypeParser.parseMessageType(
        "message m { optional int64 t (TIMESTAMP(NANOS,true)); }");
    org.apache.parquet.hadoop.example.GroupWriteSupport.setSchema(nanosType, conf);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(
        new org.apache.hadoop.fs.Path(nanos, "part-0.parquet")).withConf(conf)
        .withType(nanosType).build()) {
      w.write(new SimpleGroupFactory(nanosType).newGroup().append("t", 1L));
    }
    assertNull(ParquetFooterSchema.of(spark, nanos));
    for (String binaryAsString : List.of("false", "true")) {
      for (String ntz : List.of("true", "false")) {
        spark.conf().set("spark.sql.parquet.binaryAsString", binaryAsString);
        spark.conf().set("spark.sql.parquet.inferTimestampNTZ.enabled", ntz);
        try {
          sameAsSpark(dir);
        } finally {
          spark.conf().unset("spark.sql.parquet.binaryAsString");
          spark.conf().unset("spark.sql.parquet.inferTimestampNTZ.enabled");
        }
      }
    }
  }

  @Test
  void leavesToSparkWhatAGivenSchemaWouldChange() {
    String parts = tmp.resolve("parts").toString();
    sample().write().partitionBy("part").parquet(parts);
    // Partition directories: a given schema turns off the inference of their types.
    assertNull(ParquetFooterSchema.of(spark, parts));
    EvaluateOptions o = EvaluateOptions.parse(new String[] {"--input", parts});
    assertEquals(spark.read().parquet(parts).schema().json(),
        InputData.load(spark, o).df.schema().json());
    assertNull(ParquetFooterSchema.of(spark, parts + "/part=*"));
    assertNull(ParquetFooterSchema.of(spark, tmp.resolve("missing").toString()));
    java.io.File empty = tmp.resolve("empty").toFile();
    empty.mkdirs();
    assertNull(ParquetFooterSchema.of(spark, empty.toString()));
    String merged = tmp.resolve("merged").toString();
    sample().write().parquet(merged);
    spark.conf().set("spark.sql.parquet.mergeSchema", "true");
    try {
      assertNull(ParquetFooterSchema.of(spark, merged));
    } finally {
      spark.conf().unset("spark.sql.parquet.mergeSchema");
    }
  }

  @Test
  void readsTheFileSparkReads() {
    List<FileStatus> files = new ArrayList<>();
    for (String name : List.of("/d/part-2", "/d/part-1", "/d/_metadata", "/d/_common_metadata")) {
      files.add(new FileStatus(1, false, 1, 1, 0, new org.apache.hadoop.fs.Path(name)));
    }
    assertEquals("_common_metadata", ParquetFooterSchema.fileToRead(files).getPath().getName());
    files.remove(3);
    assertEquals("_metadata", ParquetFooterSchema.fileToRead(files).getPath().getName());
    files.remove(2);
    assertEquals("part-1", ParquetFooterSchema.fileToRead(files).getPath().getName());
    assertNull(ParquetFooterSchema.fileToRead(List.of()));
  }

  @Test
  void aFileWithoutAFooterIsLeftToSpark() throws Exception {
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("corrupt"));
    java.nio.file.Files.writeString(dir.resolve("part-0.parquet"), "not parquet at all");
    assertNull(ParquetFooterSchema.of(spark, dir.toString()));
    // Spark's own inference reports it
    org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> spark.read().parquet(dir.toString()).schema());
  }
}
