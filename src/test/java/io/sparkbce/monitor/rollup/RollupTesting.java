package io.sparkbce.monitor.rollup;

import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.history.Quality;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Data with invalid rows for the roll-up tests, monitor's arguments, and metrics by bits. */
final class RollupTesting {
  static final int C = 3;
  static final String POS_WEIGHT = "0.5,2,4";

  private RollupTesting() {}

  /**
   * {@code days} days from 2025-06-01 of models a and b, 3 classes, weights 0.5-2: every 13th
   * row without labels and every 19th with a NaN logit (skipped by reason), model b drifting.
   */
  static Path input(Path dir, int days) {
    List<Event> events = new ArrayList<>();
    int i = 0;
    for (Event e : MonitorTesting.events(days, 12, C, 41, 0, d -> d * 0.2)) {
      double[] x = e.x();
      if (i % 19 == 7) {
        x = x.clone();
        x[1] = Double.NaN;
      }
      events.add(new Event(e.ts(), e.model(), e.id(), x, i % 13 == 5 ? null : e.y(), e.w()));
      i++;
    }
    Path input = dir.resolve("in");
    MonitorTesting.write(events, input, false);
    return input;
  }

  /** monitor over {@code input} by model, weighted, with a fixed pos_weight. */
  static String[] monitor(Path input, String window, Path out) {
    return new String[] {"monitor", "--input", input.toString(), "--time-col", "ts",
        "--window", window, "--group-by", "model", "--weight", "w", "--pos-weight", POS_WEIGHT,
        "--output", out.toString()};
  }

  /**
   * Every value of a metric but the time it was computed and its state's bytes: doubles as their
   * bits (so -0.0, NaN payloads and the last ulp count), in a list that compares with equals.
   */
  static List<Object> values(Metric m) {
    List<Object> v = new ArrayList<>();
    v.add(m.segment());
    v.add(m.segmentValues());
    v.add(m.reduction());
    v.add(bits(m.loss()));
    v.add(bits(m.weightedMeanLoss()));
    v.add(m.rows());
    v.add(m.rowsUsed());
    v.add(m.rowsSkipped());
    v.add(new TreeMap<>(m.skippedByReason()));
    v.add(m.elements());
    v.add(bits(m.positivesPerClass()));
    v.add(bits(m.lossPerClass()));
    v.add(bits(m.posWeight()));
    v.add(bits(m.quality()));
    v.add(m.qualityPerClass() == null ? null
        : m.qualityPerClass().stream().map(RollupTesting::bits).toList());
    return v;
  }

  private static List<String> bits(Quality q) {
    return q == null ? null : bits(java.util.Arrays.asList(q.normalizedEntropy(),
        q.calibration(), q.positiveRate(), q.meanPrediction()));
  }

  private static List<String> bits(List<Double> l) {
    return l == null ? null : l.stream().map(RollupTesting::bits).toList();
  }

  /** A double's raw bits in hex, with the value for reading a failure. */
  static String bits(Double d) {
    return d == null ? "null"
        : Long.toHexString(Double.doubleToRawLongBits(d)) + " (" + d + ")";
  }
}
