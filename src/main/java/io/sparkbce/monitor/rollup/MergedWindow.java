package io.sparkbce.monitor.rollup;

import io.sparkbce.job.JobFailure;
import io.sparkbce.loss.QualityAccumulator;
import io.sparkbce.loss.Reduction;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One coarse window of one segment, merged from the history's fine windows: counts added, exact
 * states merged. Every value of the result is then computed from the merged state exactly as
 * monitor computes a window's values from the data ({@link Metric#of}), so the two are the same
 * bits. Fine windows that used another pos_weight or reduction, or another number of classes,
 * cannot be merged: that is an error naming both windows.
 */
final class MergedWindow {
  private final String history;
  private final Metric first;
  private final QualityAccumulator state = new QualityAccumulator();
  private final Map<String, Long> skipped = new LinkedHashMap<>();
  private long rows;
  private long rowsUsed;
  private long elements;
  private int merged;

  MergedWindow(String history, Metric first) {
    this.history = history;
    this.first = first;
  }

  /** Adds fine window {@code m} (of this segment, with its state, or without elements). */
  void add(Metric m) {
    if (!Objects.equals(m.posWeight(), first.posWeight())
        || !m.reduction().equals(first.reduction())) {
      throw new JobFailure("cannot roll up " + where() + ": its windows in " + history
          + " were computed with different settings (" + settings(first) + " from "
          + WindowText.shown(first.windowStart()) + ", " + settings(m) + " from "
          + WindowText.shown(m.windowStart()) + "), so their sums do not add up to one window's. "
          + "Recompute those windows from the data with the same settings (monitor --since/"
          + "--until over them) and roll up again");
    }
    if (m.state() != null) {
      try {
        state.merge(QualityAccumulator.fromBytes(m.state()));
      } catch (IllegalArgumentException e) {
        throw new JobFailure("cannot roll up " + where() + ": the window from "
            + WindowText.shown(m.windowStart()) + " in " + history + " has another number of "
            + "classes than the windows before it (" + e.getMessage() + ")", e);
      }
    }
    rows += m.rows();
    rowsUsed += m.rowsUsed();
    elements += m.elements();
    m.skippedByReason().forEach((reason, n) -> skipped.merge(reason, n, Long::sum));
    merged++;
  }

  private static String settings(Metric m) {
    return "reduction " + m.reduction() + ", pos_weight "
        + (m.posWeight() == null ? "none" : m.posWeight().toString());
  }

  private String where() {
    return "the segment " + first.segment() + " in the window holding "
        + WindowText.shown(first.windowStart());
  }

  /** How many fine windows of this segment were merged. */
  int merged() {
    return merged;
  }

  /** The coarse window's metric, as monitor would compute it over [start, end) from the data. */
  Metric metric(Timestamp start, Timestamp end, String windowDate, Timestamp now) {
    List<Double> pw = first.posWeight();
    double[] posWeight = pw == null ? null : pw.stream().mapToDouble(Double::doubleValue).toArray();
    return Metric.of(start, end, first.segment(), first.segmentValues(),
        Reduction.parse(first.reduction(), false), rows, rowsUsed, skipped, elements, posWeight,
        state.classCount() == 0 ? null : state.toBytes(), now, windowDate);
  }
}
