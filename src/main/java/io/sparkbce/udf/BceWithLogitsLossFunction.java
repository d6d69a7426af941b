package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_with_logits_loss}: the reduced loss from logits, an aggregate. */
public final class BceWithLogitsLossFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_with_logits_loss";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, pos_weight [, reduction]]]) - BCEWithLogitsLoss over the group; reduction 'mean' (default), 'sum' or 'weighted_mean'.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS, args, 4);
    return RowAggregate.expression(new LossAggregate(name(), call), call);
  }
}
