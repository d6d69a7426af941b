package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * An expression computed over a batch's column vectors a column at a time, where a generated
 * projection would compute it row by row ({@link BatchPipeline}).
 */
interface VectorColumn {
  /** Appends the value of rows rows[0..n-1] of {@code in} (rows 0..n-1 if null) to {@code out}. */
  void write(ColumnarBatch in, int[] rows, int n, WritableColumnVector out);

  /** {@code e} (bound to the batch's columns) computed this way, or null if it has another form. */
  static VectorColumn of(Expression e) {
    VectorCase reason = VectorCase.of(e);
    if (reason != null) {
      return reason;
    }
    VectorStructColumn struct = VectorStructColumn.of(e);
    return struct != null ? struct : VectorLongColumn.of(e);
  }
}
