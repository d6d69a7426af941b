package io.sparkbce.udf;

import io.sparkbce.loss.LossAccumulator;
import io.sparkbce.loss.Reduction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** {@code bce_with_logits_loss} and {@code bce_loss}: one reduced DOUBLE per group. */
final class LossAggregate extends RowAggregate<LossAccumulator, Double> {
  private static final long serialVersionUID = 1L;
  private final Reduction reduction;

  LossAggregate(String name, LossCall call) {
    super(name, call);
    this.reduction = call.reduction;
  }

  @Override
  LossAccumulator zero() {
    return LossAccumulator.forReduction(reduction);
  }

  @Override
  LossAccumulator restore(byte[] bytes) {
    return LossAccumulator.fromBytes(bytes);
  }

  @Override
  LossAccumulator combine(LossAccumulator left, LossAccumulator right) {
    left.merge(right);
    return left;
  }

  @Override
  Double result(LossAccumulator state) {
    return state.result(reduction);
  }

  @Override
  int accumulators(LossAccumulator state) {
    return 1;
  }

  @Override
  public DataType resultType() {
    return DataTypes.DoubleType;
  }
}
