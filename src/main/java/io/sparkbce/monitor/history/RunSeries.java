package io.sparkbce.monitor.history;

import java.util.List;

/**
 * The series of one run's history, whatever stores it: the series the run writes, the one the
 * history recorded when it was opened (null: none, or a new series), and whether the record must
 * be written again ({@code --pos-weight auto}'s values frozen into it).
 */
final class RunSeries {
  private HistorySeries series;
  private final HistorySeries recorded;
  private boolean changed;

  RunSeries(HistorySeries series, HistorySeries recorded) {
    this.series = series;
    this.recorded = recorded;
  }

  HistorySeries series() {
    return series;
  }

  /** Whether the history had a series record when it was opened. */
  boolean recorded() {
    return recorded != null;
  }

  /** The values of {@code --pos-weight auto} frozen in the history, or null if none yet. */
  double[] frozenPosWeight() {
    List<Double> v = recorded == null ? null : recorded.frozenPosWeight();
    return v == null ? null : v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** Freezes the values of {@code --pos-weight auto} into the series, to be recorded. */
  void freeze(double[] values) {
    series = series.frozen(values);
    changed = true;
  }

  /** Whether the record changed since the history was opened (and clears it: it is written). */
  boolean takeChanged() {
    boolean c = changed;
    changed = false;
    return c;
  }
}
