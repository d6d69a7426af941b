package io.sparkbce.udf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/**
 * The float array behind an on-heap FLOAT column vector, read in place. Why: {@code getFloats}
 * allocates a new array and copies into it on every call, one more pass over the data on the
 * array path's hot loop. Anything else (off-heap vectors, dictionary-encoded values, a Spark whose
 * field is not there) gets null, and the caller uses {@code getFloats}.
 */
final class HeapFloats {
  private static final VarHandle FLOAT_DATA = floatData();

  private HeapFloats() {}

  private static VarHandle floatData() {
    try {
      return MethodHandles.privateLookupIn(OnHeapColumnVector.class, MethodHandles.lookup())
          .findVarHandle(OnHeapColumnVector.class, "floatData", float[].class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** The values of {@code v} as stored, index = row, or null if they cannot be read in place. */
  static float[] of(WritableColumnVector v) {
    if (FLOAT_DATA == null || !(v instanceof OnHeapColumnVector) || v.hasDictionary()) {
      return null;
    }
    return (float[]) FLOAT_DATA.get((OnHeapColumnVector) v);
  }
}
