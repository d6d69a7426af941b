package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_with_logits}: the loss of each element from logits, in the input's shape. */
public final class BceWithLogitsFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_with_logits";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, pos_weight]]) - BCEWithLogitsLoss per element (reduction none): DOUBLE, or an array of the input's shape.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS, args, -1);
    return Elementwise.build(call);
  }
}
