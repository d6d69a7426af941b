package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * Which of a row's input, target and weight arrays hold FLOAT. Reading them in place saves the
 * per-row copy that a cast to ARRAY<DOUBLE> would make (64-class float arrays are common).
 */
final class FloatColumns {
  static final int INPUT = 1;
  static final int TARGET = 2;
  static final int WEIGHT = 4;

  private FloatColumns() {}

  static int mask(boolean input, boolean target, boolean weight) {
    return (input ? INPUT : 0) | (target ? TARGET : 0) | (weight ? WEIGHT : 0);
  }

  static double read(ArrayData a, int i, boolean floats) {
    return floats ? a.getFloat(i) : a.getDouble(i);
  }
}
