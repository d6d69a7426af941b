package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code monitor} over 100,000 classes: one array-valued aggregate per quantity, not a column per
 * class (which left Catalyst in CollapseProject for minutes). Positives and losses per class
 * against plain Java.
 */
class WideMonitorTest {
  static final int CLASSES = 100_000;
  static final int ROWS = 16;
  @TempDir
  Path tmp;

  /**
   * The limit guards against the plan of a column per class, which never finished; it is not a
   * speed test (those are in the benchmark): a 60-second assertion here failed on a loaded machine
   * (19.5 s on CI).
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sixteenRowsOfAHundredThousandClassesFinish() throws Exception {
    Random r = new Random(100);
    StructType schema = new StructType().add("ts", DataTypes.TimestampType)
        .add("model", DataTypes.StringType)
        .add("logits", DataTypes.createArrayType(DataTypes.DoubleType))
        .add("labels", DataTypes.createArrayType(DataTypes.DoubleType));
    double[][] x = new double[ROWS][CLASSES];
    double[][] y = new double[ROWS][CLASSES];
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      Double[] xs = new Double[CLASSES];
      Double[] ys = new Double[CLASSES];
      for (int c = 0; c < CLASSES; c++) {
        x[i][c] = Math.round(r.nextGaussian() * 1000) / 1000.0;
        y[i][c] = r.nextDouble() < 0.01 ? 1 : (r.nextDouble() < 0.01 ? 0.5 : 0);
        xs[c] = x[i][c];
        ys[c] = y[i][c];
      }
      rows.add(RowFactory.create(Timestamp.valueOf("2025-06-0" + (1 + i % 2) + " 12:00:00"),
          i % 4 < 2 ? "a" : "b", xs, ys));
    }
    Path input = tmp.resolve("in");
    spark().createDataFrame(rows, schema).coalesce(1).write().parquet(input.toString());
    Path out = tmp.resolve("out");

    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", out.toString()).assertCode(0).assertOut("4 window rows written");

    List<Row> history = spark().read().parquet(out.resolve("history").toString())
        .orderBy("window_start", "segment").collectAsList();
    assertEquals(4, history.size());
    for (Row h : history) {
      int day = ((Timestamp) h.getAs("window_start")).toLocalDateTime().getDayOfMonth() - 1;
      String model = h.<Row>getAs("segment_values").getString(0);
      List<Integer> mine = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        if (i % 2 == day && (i % 4 < 2 ? "a" : "b").equals(model)) {
          mine.add(i);
        }
      }
      List<Double> positives = h.getList(h.fieldIndex("positives_per_class"));
      List<Double> perClass = h.getList(h.fieldIndex("loss_per_class"));
      assertEquals(CLASSES, positives.size());
      double total = 0;
      double compensation = 0;
      for (int c = 0; c < CLASSES; c++) {
        double p = 0;
        double lossC = 0;
        for (int i : mine) {
          p += y[i][c];
          lossC += JobTesting.element(x[i][c], y[i][c], 1, 1);
        }
        assertEquals(p, positives.get(c), 0.0, model + " day " + day + " class " + c);
        if (c % 9973 == 0) {
          assertNear(lossC / mine.size(), perClass.get(c), "loss of class " + c);
        }
        // Kahan: the reference sum of 400,000 terms, accurate to the last bits
        double t = lossC - compensation;
        double s = total + t;
        compensation = (s - total) - t;
        total = s;
      }
      assertNear(total / ((double) mine.size() * CLASSES), h.<Double>getAs("loss"),
          model + " day " + day + " mean loss");
    }
    assertTrue(Files.size(out.resolve("report.html")) < 2_000_000, "the report stays small");
  }
}
