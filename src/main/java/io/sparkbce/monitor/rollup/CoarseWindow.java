package io.sparkbce.monitor.rollup;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One coarse window: its segments' merges, and which fine windows of the history fall in it, over
 * all segments. A coarse window is complete when the history has a row (of any segment) for each
 * of its fine windows; a segment without rows in some of them is normal (no data), a fine window
 * without a row of any segment is a window the history did not compute (or one without data: the
 * roll-up cannot tell).
 */
final class CoarseWindow {
  final long start;
  final long end;
  /** How many fine windows the coarse one spans. */
  final long span;
  final TreeSet<Long> fineStarts = new TreeSet<>();
  /** By segment label, in the history's order. */
  final Map<String, MergedWindow> segments = new TreeMap<>();

  CoarseWindow(long start, long end, long fineMillis) {
    this.start = start;
    this.end = end;
    this.span = (end - start) / fineMillis;
  }

  void add(String history, Metric m) {
    fineStarts.add(m.windowStart().getTime());
    segments.computeIfAbsent(m.segment(), s -> new MergedWindow(history, m)).add(m);
  }

  boolean complete() {
    return fineStarts.size() == span;
  }

  /** "7/7": fine windows present of those spanned. */
  String coverage() {
    return fineStarts.size() + "/" + span;
  }
}
