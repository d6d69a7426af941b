package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_with_logits_loss_per_class}: the reduced loss of each class, an aggregate. */
public final class BceWithLogitsLossPerClassFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_with_logits_loss_per_class";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, pos_weight [, reduction]]]) - BCEWithLogitsLoss per class (innermost index): ARRAY<DOUBLE> of length C.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS, args, 4);
    return RowAggregate.expression(new ClassLossAggregate(name(), call), call);
  }
}
