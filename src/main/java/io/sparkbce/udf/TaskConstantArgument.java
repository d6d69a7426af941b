package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * A value that does not depend on the row but is not a literal either, like a broadcast
 * pos_weight ({@link BroadcastPosWeight}): evaluated once per task, where it is read.
 */
final class TaskConstantArgument extends BatchArgument {
  private static final long serialVersionUID = 1L;
  private final Expression expression;
  private transient ConstantArgument value;

  TaskConstantArgument(Expression expression) {
    this.expression = expression;
  }

  private ConstantArgument value() {
    if (value == null) {
      value = new ConstantArgument(expression.eval(null));
    }
    return value;
  }

  @Override
  boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
    return value().readDoubles(batch, from, n, column, nulls);
  }

  @Override
  Object value(ColumnarBatch batch, int i) {
    return value().value(batch, i);
  }

  @Override
  double singleValue() {
    return value().singleValue();
  }

  @Override
  double[] constantDoubles() {
    return value().constantDoubles();
  }
}
