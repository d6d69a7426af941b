package io.sparkbce.udf;

import io.sparkbce.loss.LabelBalance;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** {@code bce_pos_weight(target)}: negatives / positives per class. */
final class PosWeightAggregate extends RowAggregate<LabelBalance, ArrayData> {
  private static final long serialVersionUID = 1L;

  PosWeightAggregate(String name, LossCall call) {
    super(name, call);
  }

  @Override
  LabelBalance zero() {
    return new LabelBalance();
  }

  @Override
  LabelBalance restore(byte[] bytes) {
    return LabelBalance.fromBytes(bytes);
  }

  @Override
  LabelBalance combine(LabelBalance left, LabelBalance right) {
    left.merge(right);
    return left;
  }

  @Override
  ArrayData result(LabelBalance state) {
    if (state.classCount() == 0) {
      return null;
    }
    return UnsafeArrayData.fromPrimitiveArray(state.posWeight());
  }

  @Override
  int accumulators(LabelBalance state) {
    return Math.max(1, state.classCount());
  }

  @Override
  public DataType resultType() {
    return DataTypes.createArrayType(DataTypes.DoubleType, false);
  }
}
