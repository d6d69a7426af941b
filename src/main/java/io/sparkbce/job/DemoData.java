package io.sparkbce.job;

import io.sparkbce.job.output.AtomicOutput;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The demo data set: predictions of two model versions over consecutive days, multi-label with
 * {@code classes} classes, partitioned by {@code date} and {@code model_version}. Deterministic
 * (each row from a generator seeded by its id, independent of partitioning): every run writes the
 * same rows.
 *
 * <p>Columns: {@code sample_id BIGINT, segment STRING, logits ARRAY<FLOAT>, labels ARRAY<FLOAT>,
 * weight DOUBLE}, plus the partition columns {@code date DATE, model_version STRING}. Class c has a
 * positive rate from 2% (class 0) to 40% (last class), so {@code bce_pos_weight} differs by class.
 * v2 separates the classes better than v1 on the first day and degrades day by day (drift). About
 * 2% of the last day's rows have no labels yet (NULL): evaluate reports them as skipped.
 */
public final class DemoData {
  public static final String START_DATE = "2025-06-01";

  private DemoData() {}

  public static Dataset<Row> rows(SparkSession spark, long rows, int classes, int days) {
    if (rows < 1 || classes < 1 || days < 1) {
      throw new UsageException("demo needs --rows, --classes and --days of at least 1");
    }
    StructType generated = new StructType()
        .add("day", DataTypes.IntegerType, false)
        .add("model_version", DataTypes.StringType, false)
        .add("segment", DataTypes.StringType, false)
        .add("sample_id", DataTypes.LongType, false)
        .add("logits", DataTypes.createArrayType(DataTypes.FloatType, false), false)
        .add("labels", DataTypes.createArrayType(DataTypes.FloatType, false), true)
        .add("weight", DataTypes.DoubleType, false);
    return spark.range(0, rows)
        .mapPartitions(new Generator(classes, days), Encoders.row(generated))
        .selectExpr("date_add(DATE'" + START_DATE + "', day) AS date", "model_version",
            "segment", "sample_id", "logits", "labels", "weight");
  }

  /** Rows from their ids: each row's values come from a generator seeded by its id alone. */
  private static final class Generator implements MapPartitionsFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private static final String[] SEGMENTS = {"web", "ios", "android"};
    private final int classes;
    private final int days;

    Generator(int classes, int days) {
      this.classes = classes;
      this.days = days;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> ids) {
      double[] prevalence = new double[classes];
      double[] prior = new double[classes];
      for (int c = 0; c < classes; c++) {
        prevalence[c] = 0.02 + 0.38 * c / Math.max(classes - 1, 1);
        prior[c] = Math.log(prevalence[c] / (1 - prevalence[c]));
      }
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return ids.hasNext();
        }

        @Override
        public Row next() {
          long id = ids.next();
          SplittableRandom r = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 12345);
          int day = (int) (id % days);
          boolean v1 = r.nextBoolean();
          String segment = SEGMENTS[r.nextInt(SEGMENTS.length)];
          double separation = v1 ? 1.2 : 1.7 - 0.1 * day;
          float[] logits = new float[classes];
          float[] labels = new float[classes];
          for (int c = 0; c < classes; c++) {
            boolean positive = r.nextDouble() < prevalence[c];
            labels[c] = positive ? 1f : 0f;
            logits[c] = (float) (prior[c] + separation * (positive ? 1 : -1) + r.nextGaussian());
          }
          boolean late = day == days - 1 && r.nextDouble() < 0.02;
          double weight = Math.round((0.5 + 1.5 * r.nextDouble()) * 1000) / 1000.0;
          return RowFactory.create(day, v1 ? "v1" : "v2", segment, id, logits,
              late ? null : labels, weight);
        }
      };
    }
  }

  /** Writes the data set to {@code path} (replacing a previous one atomically). */
  public static void write(
      SparkSession spark, String path, long rows, int classes, int days) {
    Dataset<Row> df = rows(spark, rows, classes, days);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    AtomicOutput.replaceDirectory(hadoop, path,
        tmp -> df.write().partitionBy("date", "model_version").parquet(tmp));
  }
}
