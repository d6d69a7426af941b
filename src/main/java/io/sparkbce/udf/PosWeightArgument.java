package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;

/** pos_weight given as an array for single-label input, where C = 1. */
public final class PosWeightArgument {
  private PosWeightArgument() {}

  static Expression single(Expression array, FunctionContext ctx) {
    return StaticCall.of(
        PosWeightArgument.class, DataTypes.DoubleType, "single", array, StaticCall.context(ctx));
  }

  public static double single(ArrayData posWeight, UTF8String context) {
    int n = posWeight.numElements();
    if (n != 1 || posWeight.isNullAt(0)) {
      throw new FunctionContext(context.toString())
          .runtimeError("pos_weight size (" + n + ") must match the number of classes (1)"
              + (n == 1 ? "; its element is NULL" : ""));
    }
    return posWeight.getDouble(0);
  }
}
