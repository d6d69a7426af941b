package io.sparkbce.monitor;

import static io.sparkbce.job.JobTesting.assertNear;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code monitor}'s quality metrics per window, segment and class (normalized entropy, calibration,
 * positive rate, mean prediction) and the pos_weight each row used, against plain Java loops.
 */
class MonitorQualityTest {
  private static final int C = 3;
  private static final double[] PW = {0.5, 2, 4};

  @TempDir
  Path tmp;

  /** {loss, baseline, sum w*sigmoid(x), sum w*y, sum w} of class c, or of all classes (-1). */
  private static double[] reference(List<Event> events, int cls) {
    double loss = 0;
    double baseline = 0;
    double predicted = 0;
    double positives = 0;
    double weights = 0;
    for (int c = 0; c < C; c++) {
      if (cls >= 0 && c != cls) {
        continue;
      }
      double l = 0;
      double p = 0;
      double n = 0;
      double w = 0;
      for (Event e : events) {
        double x = e.x()[c];
        double y = e.y()[c];
        l += JobTesting.element(x, y, e.w(), PW[c]);
        p += e.w() * y;
        n += e.w() * (1 - y);
        w += e.w();
        predicted += e.w() / (1 + Math.exp(-x));
      }
      double rate = p / w;
      loss += l;
      baseline += -PW[c] * p * Math.log(rate) - n * Math.log1p(-rate);
      positives += p;
      weights += w;
    }
    return new double[] {loss, baseline, predicted, positives, weights};
  }

  private static void assertQuality(double[] ref, Row q, String what) {
    assertNear(ref[0] / ref[1], q.<Double>getAs("normalized_entropy"), what + " NE");
    assertNear(ref[2] / ref[3], q.<Double>getAs("calibration"), what + " calibration");
    assertNear(ref[3] / ref[4], q.<Double>getAs("positive_rate"), what + " positive rate");
    assertNear(ref[2] / ref[4], q.<Double>getAs("mean_prediction"), what + " mean prediction");
  }

  @Test
  void qualityPerWindowSegmentAndClassMatchesPlainJava() {
    List<Event> events = MonitorTesting.events(2, 30, C, 11, 0, d -> d * 0.5);
    Path input = tmp.resolve("in");
    MonitorTesting.write(events, input, false);
    Path out = tmp.resolve("out");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--weight", "w", "--pos-weight", "0.5,2,4", "--output", out.toString())
        .assertCode(0).assertOut("NE", "calibration", "positive rate");
    List<Row> rows = spark().read().parquet(out.resolve("history").toString())
        .orderBy("window_start", "segment").collectAsList();
    assertEquals(4, rows.size());
    for (Row row : rows) {
      String day = row.getAs("window_start").toString().substring(0, 10);
      String model = row.<String>getAs("segment").substring("model=".length());
      List<Event> mine = events.stream().filter(e -> e.day().equals(day)
          && e.model().equals(model)).toList();
      String what = day + " " + model;
      assertEquals(List.of(0.5, 2.0, 4.0), row.getList(row.fieldIndex("pos_weight")), what);
      assertFalse(row.isNullAt(row.fieldIndex("state")), what + " keeps its exact state");
      assertQuality(reference(mine, -1), row.getStruct(row.fieldIndex("quality")), what);
      List<Row> perClass = row.getList(row.fieldIndex("quality_per_class"));
      assertEquals(C, perClass.size());
      for (int c = 0; c < C; c++) {
        assertQuality(reference(mine, c), perClass.get(c), what + " class " + c);
      }
    }
  }
}
