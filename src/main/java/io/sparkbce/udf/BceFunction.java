package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce}: the loss of each element from probabilities, in the input's shape. */
public final class BceFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight]) - BCELoss per element on probabilities in [0, 1].";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.PROBABILITIES, args, -1);
    return Elementwise.build(call);
  }
}
