package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_pos_weight(target)}: negatives / positives per class, ready to pass as pos_weight. */
public final class BcePosWeightFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_pos_weight";
  }

  @Override
  public String usage() {
    return "_FUNC_(target) - negatives / positives per class (innermost index) as ARRAY<DOUBLE>;"
        + " 100 positives and 300 negatives give 3.0.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.targetOnly(name(), args);
    return RowAggregate.expression(new PosWeightAggregate(name(), call), call);
  }
}
