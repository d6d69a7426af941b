package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.aggregate.V2Aggregator;
import org.apache.spark.sql.connector.catalog.functions.AggregateFunction;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * Spark's {@link V2Aggregator} (so Spark's aggregation and {@link ColumnarAggregateRule} treat it
 * as before) that shows itself as the call the user wrote, e.g.
 * {@code bce_with_logits_loss(xs, ys, NULL, array(3.0, 1.0))}, rather than
 * {@code v2aggregator(...)} of its canonical arguments.
 */
final class NamedAggregator<S extends Serializable, R> extends V2Aggregator<S, R> {
  private static final long serialVersionUID = 1L;
  private final String call;

  NamedAggregator(String call, AggregateFunction<S, R> function, Seq<Expression> children,
      int mutableOffset, int inputOffset) {
    super(function, children, mutableOffset, inputOffset);
    this.call = call;
  }

  @Override
  public String sql(boolean isDistinct) {
    return isDistinct ? call.replaceFirst("\\(", "(DISTINCT ") : call;
  }

  @Override
  public String toAggString(boolean isDistinct) {
    return sql(isDistinct);
  }

  @Override
  public String toString() {
    return call;
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new NamedAggregator<>(call, aggrFunc(), newChildren, mutableAggBufferOffset(),
        inputAggBufferOffset());
  }

  @Override
  public V2Aggregator<S, R> withNewMutableAggBufferOffset(int offset) {
    return new NamedAggregator<>(call, aggrFunc(), children(), offset, inputAggBufferOffset());
  }

  @Override
  public V2Aggregator<S, R> withNewInputAggBufferOffset(int offset) {
    return new NamedAggregator<>(call, aggrFunc(), children(), mutableAggBufferOffset(), offset);
  }
}
