package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;

/**
 * An MLlib vector as the dense ARRAY<DOUBLE> the kernels read. A vector's SQL form is
 * struct(type: 0 sparse / 1 dense, size, indices, values) (MLlib's VectorUDT), so this reads it
 * without going through the Vector objects.
 */
public final class VectorValues {
  private static final byte SPARSE = 0;

  private VectorValues() {}

  static Expression toArray(Expression vector) {
    return StaticCall.of(
        VectorValues.class, DataTypes.createArrayType(DataTypes.DoubleType, false), "toArray",
        vector);
  }

  /** Declared on Object: Spark looks a UDT argument's method up by that class. */
  public static ArrayData toArray(Object udtValue) {
    InternalRow vector = (InternalRow) udtValue;
    ArrayData values = vector.getArray(3);
    if (vector.getByte(0) != SPARSE) {
      return values;
    }
    int size = vector.getInt(1);
    ArrayData indices = vector.getArray(2);
    double[] dense = new double[size];
    for (int k = 0; k < indices.numElements(); k++) {
      dense[indices.getInt(k)] = values.getDouble(k);
    }
    return UnsafeArrayData.fromPrimitiveArray(dense);
  }
}
