package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_normalized_entropy}: the loss over the loss of predicting the positive rate. */
public final class BceNormalizedEntropyFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_normalized_entropy";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight [, pos_weight]]) - Normalized entropy of logits over the group: the summed BCEWithLogitsLoss divided by the loss of always predicting each class's positive rate (1 = no better than the base rate; lower is better).";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS, args, -1);
    return RowAggregate.expression(
        new QualityAggregate(name(), call, QualityAggregate.Output.NORMALIZED_ENTROPY), call);
  }
}
