package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_loss}: the reduced loss from probabilities, an aggregate. */
public final class BceLossFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_loss";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, reduction]]) - BCELoss over the group; reduction 'mean' (default), 'sum' or 'weighted_mean'.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.PROBABILITIES, args, 3);
    return RowAggregate.expression(new LossAggregate(name(), call), call);
  }
}
