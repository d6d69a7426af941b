package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.objects.StaticInvoke;
import org.apache.spark.sql.types.AbstractDataType;
import org.apache.spark.sql.types.DataType;
import scala.Option;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * Spark's {@link StaticInvoke} (same generated code) that shows itself as the call the user wrote,
 * {@code bce_with_logits(x, y)}, rather than {@code static_invoke(...Elementwise.withLogits(...))}:
 * Spark names a result column after {@code sql}, which for StaticInvoke is its {@code toString}
 * with attributes shown plainly. Optimizer rewrites may turn it back into a plain StaticInvoke,
 * which is fine: names are taken during analysis.
 */
final class NamedStaticInvoke extends StaticInvoke {
  private static final long serialVersionUID = 1L;
  private final String call;

  NamedStaticInvoke(String call, Class<?> owner, DataType result, String method,
      Seq<Expression> args, Seq<AbstractDataType> inputTypes, boolean propagateNull,
      boolean returnNullable, boolean deterministic) {
    super(owner, result, method, args, inputTypes, propagateNull, returnNullable, deterministic,
        Option.empty());
    this.call = call;
  }

  @Override
  public String toString() {
    return call;
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new NamedStaticInvoke(call, staticObject(), dataType(), functionName(), newChildren,
        inputTypes(), propagateNull(), returnNullable(), isDeterministic());
  }
}
