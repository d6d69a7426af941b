package io.sparkbce.monitor.report;

import java.math.BigDecimal;

/**
 * Axis ticks at round values: a step of 1, 2 or 5 times a power of ten, chosen so that about
 * {@code target} ticks cover the range, and the axis spans from the tick at or below the lowest
 * value to the tick at or above the highest. Labels are exact decimals (0.08, 0.10, 0.12), never
 * binary noise such as 0.09332.
 */
record Ticks(BigDecimal[] values) {
  /** Ticks over [lo, hi]; {@code integer}: counts, so the step is at least 1. */
  static Ticks nice(double lo, double hi, int target, boolean integer) {
    if (!(Double.isFinite(lo) && Double.isFinite(hi) && lo <= hi)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))) { // one value: a range around it
      double d = lo == 0 || integer ? 1 : Math.abs(lo) * 0.1;
      hi = lo + d;
      lo = lo == 0 ? lo : lo - d;
    }
    double rough = (hi - lo) / Math.max(1, target);
    int exp = (int) Math.floor(Math.log10(rough));
    double residual = rough / Math.pow(10, exp);
    int mantissa = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
    if (mantissa == 10) {
      mantissa = 1;
      exp++;
    }
    if (integer && exp < 0) {
      mantissa = 1;
      exp = 0;
    }
    double step = mantissa * Math.pow(10, exp);
    // a small tolerance: 0.08 / 0.02 is 3.9999999999999996 in binary
    long first = (long) Math.floor(lo / step + 1e-9);
    long last = (long) Math.ceil(hi / step - 1e-9);
    BigDecimal[] v = new BigDecimal[(int) (last - first + 1)];
    for (int i = 0; i < v.length; i++) {
      v[i] = BigDecimal.valueOf((first + i) * mantissa).scaleByPowerOfTen(exp)
          .setScale(Math.max(0, -exp));
    }
    return new Ticks(v);
  }

  double min() {
    return values[0].doubleValue();
  }

  double max() {
    return values[values.length - 1].doubleValue();
  }

  /** The labels, with as many decimals as the step has (0.08, 0.10; 0, 500, 1000). */
  String[] labels() {
    String[] out = new String[values.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[i].toPlainString();
    }
    return out;
  }
}
