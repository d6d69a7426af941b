package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * A BIGINT or TIMESTAMP column computed by {@link VectorLong}: the jobs' window start. Where that
 * stops on ANSI overflow (it computes every branch of a CASE WHEN, also where Spark would not),
 * Spark's generated projection computes the batch row by row, so that its value or its error
 * stands.
 */
final class VectorLongColumn implements VectorColumn, Serializable {
  private static final long serialVersionUID = 1L;
  private final VectorLong value;
  private final Expression expression;
  private transient MutableProjection rowByRow;

  private VectorLongColumn(VectorLong value, Expression expression) {
    this.value = value;
    this.expression = expression;
  }

  /** {@code e} computed this way, or null if {@link VectorLong} does not take it. */
  static VectorLongColumn of(Expression e) {
    VectorLong v = VectorLong.of(e);
    return v == null ? null : new VectorLongColumn(v, e);
  }

  @Override
  public void write(ColumnarBatch in, int[] rows, int n, WritableColumnVector out) {
    try {
      value.compute(in, rows, n);
    } catch (ArithmeticException overflow) {
      writeRowByRow(in, rows, n, out);
      return;
    }
    int first = out.getElementsAppended();
    out.appendLongs(n, value.values, 0);
    if (!value.hasNull) {
      return;
    }
    boolean[] nulls = value.nulls;
    for (int j = 0; j < n; j++) {
      if (nulls[j]) {
        out.putNull(first + j);
      }
    }
  }

  private void writeRowByRow(ColumnarBatch in, int[] rows, int n, WritableColumnVector out) {
    if (rowByRow == null) {
      rowByRow = MutableProjection.create(LossCall.seq(expression));
    }
    for (int j = 0; j < n; j++) {
      InternalRow r = rowByRow.apply(in.getRow(VectorCondition.row(rows, j)));
      if (r.isNullAt(0)) {
        out.appendNull();
      } else {
        out.appendLong(r.getLong(0));
      }
    }
  }
}
