package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_with_logits_grad}: d loss / d input per element, in the input's shape. */
public final class BceWithLogitsGradFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_with_logits_grad";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, pos_weight]]) - gradient of BCEWithLogitsLoss with respect to each logit.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS_GRAD, args, -1);
    return Elementwise.build(call);
  }
}
