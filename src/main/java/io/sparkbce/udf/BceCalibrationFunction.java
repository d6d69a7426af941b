package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/** {@code bce_calibration}: predicted positives over actual positives. */
public final class BceCalibrationFunction implements SqlFunction {
  @Override
  public String name() {
    return "bce_calibration";
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target [, weight]) - Calibration of logits over the group: sum(weight * sigmoid(input)) / sum(weight * target) (1 = calibrated).";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    if (args.size() > 3) {
      throw new FunctionContext(name(), args)
          .analysisError("takes 2 to 3 arguments, got " + args.size());
    }
    LossCall call = LossCall.analyse(name(), ElementQuantity.WITH_LOGITS, args, -1);
    return RowAggregate.expression(
        new QualityAggregate(name(), call, QualityAggregate.Output.CALIBRATION), call);
  }
}
