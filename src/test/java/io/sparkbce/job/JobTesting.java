package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkbce.testing.TestSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Shared by the job tests: runs {@link Main} in-process on the test session, builds small data
 * sets, and computes expected losses independently with plain Java loops (PyTorch's formula).
 */
public final class JobTesting {
  public static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  private JobTesting() {}

  /** A small copy of the demo data set (1,400 rows, 16 classes, 7 days) under {@code dir}. */
  public static Path smallDemo(Path dir) {
    Path demo = dir.resolve("demo-data");
    DemoData.write(spark(), demo.toString(), 1400, 16, 7);
    return demo;
  }

  public static SparkSession spark() {
    return TestSpark.session();
  }

  /** One in-process run of the entry point: exit code and what it printed. */
  public record Run(int code, String out, String err) {
    public Run assertCode(int expected) {
      assertEquals(expected, code, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
      return this;
    }

    public Run assertErr(String... fragments) {
      for (String f : fragments) {
        assertTrue(err.contains(f), () -> "stderr should contain '" + f + "':\n" + err);
      }
      return this;
    }

    public Run assertOut(String... fragments) {
      for (String f : fragments) {
        assertTrue(out.contains(f), () -> "stdout should contain '" + f + "':\n" + out);
      }
      return this;
    }
  }

  public static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(TestSpark::session, o, e, args);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public static JsonNode summary(Path outputDir) {
    try {
      return JSON.readTree(Files.readString(outputDir.resolve("summary.json")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static double[] doubles(JsonNode array) {
    double[] r = new double[array.size()];
    for (int i = 0; i < r.length; i++) {
      JsonNode n = array.get(i);
      r[i] = n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }
    return r;
  }

  // ---- the reference ------------------------------------------------------------------------

  /** PyTorch's formula per element: (1-y)*x + (1+(p-1)*y)*(log1p(exp(-|x|)) + max(-x, 0)), times w. */
  public static double element(double x, double y, double w, double p) {
    return w * ((1 - y) * x + (1 + (p - 1) * y) * (Math.log1p(Math.exp(-Math.abs(x)))
        + Math.max(-x, 0)));
  }

  /** A sample of the test data sets: partition keys, id, C logits and labels, a row weight. */
  public record Sample(String day, String model, long id, double[] x, double[] y, double w) {
    public Row row() {
      return RowFactory.create(day, model, id, box(x), box(y), w);
    }
  }

  public static final StructType SCHEMA = new StructType()
      .add("day", DataTypes.StringType)
      .add("model", DataTypes.StringType)
      .add("id", DataTypes.LongType)
      .add("logits", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("labels", DataTypes.createArrayType(DataTypes.DoubleType))
      .add("w", DataTypes.DoubleType);

  /** {@code n} valid samples with {@code classes} classes: two days, two models, soft labels too. */
  public static List<Sample> samples(int n, int classes, long seed) {
    Random r = new Random(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] x = new double[classes];
      double[] y = new double[classes];
      for (int c = 0; c < classes; c++) {
        x[c] = Math.round((r.nextDouble() * 12 - 6) * 1000) / 1000.0;
        double u = r.nextDouble();
        y[c] = u < 0.1 * (c + 1) ? 1 : (u > 0.95 ? 0.25 : 0);
      }
      double w = 0.25 + (i % 7) * 0.25;
      out.add(new Sample(i % 2 == 0 ? "d1" : "d2", i % 3 == 0 ? "a" : "b", i, x, y, w));
    }
    return out;
  }

  /** Writes samples as Parquet partitioned by day and model; returns the directory. */
  public static Path writeParquet(List<Sample> samples, Path dir) {
    List<Row> rows = samples.stream().map(Sample::row).toList();
    spark().createDataFrame(rows, SCHEMA).write().partitionBy("day", "model")
        .parquet(dir.toString());
    return dir;
  }

  /** Sum of element losses and number of elements over the samples that pass {@code keep}. */
  public static double[] sumAndCount(List<Sample> samples, Predicate<Sample> keep, boolean weighted,
      double[] posWeight, int onlyClass) {
    double sum = 0;
    double count = 0;
    double weights = 0;
    for (Sample s : samples) {
      if (!keep.test(s)) {
        continue;
      }
      for (int c = 0; c < s.x.length; c++) {
        if (onlyClass >= 0 && c != onlyClass) {
          continue;
        }
        double p = posWeight == null ? 1 : posWeight[posWeight.length == 1 ? 0 : c];
        double w = weighted ? s.w : 1;
        sum += element(s.x[c], s.y[c], w, p);
        count++;
        weights += w;
      }
    }
    return new double[] {sum, count, weights};
  }

  /** Negatives / positives per class, as PyTorch's docs define pos_weight (soft labels count y). */
  public static double[] posWeight(List<Sample> samples, Predicate<Sample> keep, int classes) {
    double[] pos = new double[classes];
    double[] neg = new double[classes];
    for (Sample s : samples) {
      if (keep.test(s)) {
        for (int c = 0; c < classes; c++) {
          pos[c] += s.y[c];
          neg[c] += 1 - s.y[c];
        }
      }
    }
    double[] r = new double[classes];
    for (int c = 0; c < classes; c++) {
      r[c] = neg[c] / pos[c];
    }
    return r;
  }

  public static void assertNear(double expected, double actual, String what) {
    assertTrue(Math.abs(expected - actual) <= 1e-12 * Math.max(Math.abs(expected), 1e-300),
        () -> what + ": expected " + expected + " but got " + actual);
  }

  public static void assertNear(double expected, JsonNode actual, String what) {
    assertTrue(actual != null && !actual.isNull(), what + ": expected " + expected + ", got null");
    assertNear(expected, actual.isTextual() ? Double.parseDouble(actual.asText())
        : actual.asDouble(), what);
  }

  public static Double[] box(double[] a) {
    return a == null ? null : Arrays.stream(a).boxed().toArray(Double[]::new);
  }
}
