package io.sparkbce.udf;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenFallback;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * A pos_weight held in a Spark broadcast. Unlike a literal it is not foldable, so the optimizer
 * cannot turn it back into an array inside the plan; each task reads the executor's copy and
 * converts it to Spark's array form once.
 */
public final class BroadcastPosWeight extends Expression
    implements CodegenFallback, java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private final Broadcast<double[]> values;
  private final int length;
  private transient ArrayData cached;

  BroadcastPosWeight(Broadcast<double[]> values, int length) {
    this.values = values;
    this.length = length;
  }

  @Override
  public Object eval(InternalRow row) {
    ArrayData a = cached;
    if (a == null) {
      a = UnsafeArrayData.fromPrimitiveArray(values.value());
      cached = a;
    }
    return a;
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    return CodegenFallback.super.doGenCode(ctx, ev);
  }

  @Override
  public Seq<Expression> children() {
    return LossCall.seq();
  }

  /** A leaf has no children to replace. */
  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return this;
  }

  @Override
  public DataType dataType() {
    return DataTypes.createArrayType(DataTypes.DoubleType, false);
  }

  @Override
  public boolean nullable() {
    return false;
  }

  @Override
  public String toString() {
    return "broadcast_pos_weight(" + values.id() + ", " + length + " classes)";
  }

  @Override
  public String sql() {
    return toString();
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    return n == 0 ? values.id() : length;
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof BroadcastPosWeight;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof BroadcastPosWeight
        && ((BroadcastPosWeight) other).values.id() == values.id();
  }

  @Override
  public int hashCode() {
    return Long.hashCode(values.id());
  }
}
