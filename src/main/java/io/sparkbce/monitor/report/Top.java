package io.sparkbce.monitor.report;

import java.util.stream.IntStream;

/** Which classes a chart can show when there are too many: those with the highest values. */
final class Top {
  private Top() {}

  /** All classes, or the {@code max} with the highest {@code value}, in class order. */
  static int[] classes(double[] value, int max) {
    if (value.length <= max) {
      return IntStream.range(0, value.length).toArray();
    }
    return IntStream.range(0, value.length).boxed()
        .sorted((p, q) -> Double.compare(value[q], value[p])).limit(max)
        .mapToInt(Integer::intValue).sorted().toArray();
  }
}
