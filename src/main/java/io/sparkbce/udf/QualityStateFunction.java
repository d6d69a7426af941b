package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.QualityAccumulator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import scala.collection.immutable.Seq;

/**
 * The exact state of the loss and quality metrics of a group as BINARY
 * ({@link QualityAccumulator#toBytes}): {@code monitor}'s one aggregate per window and segment,
 * kept in its history so that coarser windows are merges of finer ones. Not one of SPEC's
 * functions: registered under an internal name in the sessions that use it.
 */
public final class QualityStateFunction implements SqlFunction {
  static final String NAME = "_bce_quality_state";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String usage() {
    return "_FUNC_(input, target, weight, pos_weight) - internal to spark-bce monitor: the exact "
        + "state of the loss and quality metrics.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.analyse(NAME, ElementQuantity.WITH_LOGITS, args, -1);
    return RowAggregate.expression(
        new QualityAggregate(NAME, call, QualityAggregate.Output.STATE), call);
  }

  /** The aggregate (NULL when no row has elements); {@code posWeight} may be null. */
  public static Column of(SparkSession spark, Column input, Column target, Column weight,
      double[] posWeight) {
    return BceFunctionRegistry.callInternal(spark, new QualityStateFunction(), input, target,
        weight, PosWeightColumn.of(posWeight));
  }
}
