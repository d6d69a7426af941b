package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** Any other expression, evaluated on each row of the batch. */
final class EvaluatedArgument extends BatchArgument {
  private static final long serialVersionUID = 1L;
  private final Expression bound;

  EvaluatedArgument(Expression bound) {
    this.bound = bound;
  }

  @Override
  boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
    boolean any = false;
    for (int i = 0; i < n; i++) {
      Object v = value(batch, from + i);
      if (v == null) {
        nulls[i] = true;
        any = true;
      } else {
        column[i] = (Double) v;
      }
    }
    return any;
  }

  @Override
  Object value(ColumnarBatch batch, int i) {
    InternalRow row = batch.getRow(i);
    return bound.eval(row);
  }
}
