package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.TestSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InputData#inputFiles} (the output checks' list of input files, taken from the relations'
 * file indexes) is the set {@code Dataset.inputFiles} gives, computed by Spark through its
 * optimizer, for every kind of input.
 */
class InputFilesTest {
  private static final SparkSession spark = TestSpark.session();
  @TempDir
  static Path tmp;

  private static void sameAsSpark(String... args) {
    InputData in = InputData.load(spark, EvaluateOptions.parse(args));
    TreeSet<String> bySpark = new TreeSet<>(Arrays.asList(in.df.inputFiles()));
    String[] ours = in.inputFiles();
    assertTrue(bySpark.size() > 0, args[1]);
    assertEquals(bySpark.size(), ours.length, args[1] + ": no file twice");
    assertEquals(bySpark, new TreeSet<>(Arrays.asList(ours)), args[1]);
  }

  @Test
  void theFilesSparkListsForEachKindOfInput() {
    String plain = tmp.resolve("plain").toString();
    spark.range(100).selectExpr("id", "id % 3 AS part", "CAST(id AS DOUBLE) AS x").repartition(3)
        .write().parquet(plain);
    sameAsSpark("--input", plain);
    String parts = tmp.resolve("parts").toString();
    spark.read().parquet(plain).write().partitionBy("part").parquet(parts);
    sameAsSpark("--input", parts);
    sameAsSpark("--input", parts + "/part=*");
    sameAsSpark("--input", parts + "/part=1");
    String csv = tmp.resolve("in.csv").toString();
    spark.read().parquet(plain).coalesce(2).write().option("header", "true").csv(csv);
    sameAsSpark("--input", csv, "--format", "csv");
    spark.read().parquet(plain).write().saveAsTable("input_files_test");
    try {
      sameAsSpark("--input", "input_files_test");
    } finally {
      spark.sql("DROP TABLE input_files_test");
    }
  }
}
