package io.sparkbce.udf;

import io.sparkbce.loss.LabelBalance;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code bce_pos_weight(target)}: negatives / positives per class; or, for {@code monitor}, the
 * positives per class themselves ({@link ClassPositivesFunction}).
 */
final class PosWeightAggregate extends RowAggregate<LabelBalance, ArrayData> {
  private static final long serialVersionUID = 1L;
  private final boolean positives;

  PosWeightAggregate(String name, LossCall call) {
    this(name, call, false);
  }

  PosWeightAggregate(String name, LossCall call, boolean positives) {
    super(name, call);
    this.positives = positives;
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
    return UnsafeArrayData.fromPrimitiveArray(positives ? state.positives() : state.posWeight());
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
