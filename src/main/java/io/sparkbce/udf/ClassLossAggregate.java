package io.sparkbce.udf;

import io.sparkbce.loss.ClassLossAccumulator;
import io.sparkbce.loss.Reduction;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** {@code bce_with_logits_loss_per_class}: an ARRAY<DOUBLE> of length C per group. */
final class ClassLossAggregate extends RowAggregate<ClassLossAccumulator, ArrayData> {
  private static final long serialVersionUID = 1L;
  private final Reduction reduction;

  ClassLossAggregate(String name, LossCall call) {
    super(name, call);
    this.reduction = call.reduction;
  }

  @Override
  ClassLossAccumulator zero() {
    return new ClassLossAccumulator(reduction == Reduction.WEIGHTED_MEAN);
  }

  @Override
  ClassLossAccumulator restore(byte[] bytes) {
    return ClassLossAccumulator.fromBytes(bytes);
  }

  @Override
  ClassLossAccumulator combine(ClassLossAccumulator left, ClassLossAccumulator right) {
    left.merge(right);
    return left;
  }

  /** NULL when no row had a value, like other aggregates over nothing. */
  @Override
  ArrayData result(ClassLossAccumulator state) {
    if (state.classCount() == 0) {
      return null;
    }
    return new GenericArrayData(state.result(reduction));
  }

  @Override
  int accumulators(ClassLossAccumulator state) {
    return Math.max(1, state.classCount());
  }

  @Override
  public DataType resultType() {
    return DataTypes.createArrayType(DataTypes.DoubleType, true);
  }
}
