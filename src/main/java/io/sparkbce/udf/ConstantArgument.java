package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** A value that does not depend on the row (optional arguments, literal pos_weight). */
final class ConstantArgument extends BatchArgument {
  private static final long serialVersionUID = 1L;
  private final Object constant;

  ConstantArgument(Object constant) {
    this.constant = constant;
  }

  @Override
  boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
    if (constant == null) {
      java.util.Arrays.fill(nulls, 0, n, true);
      return true;
    }
    java.util.Arrays.fill(column, 0, n, (Double) constant);
    return false;
  }

  @Override
  Object value(ColumnarBatch batch, int i) {
    return constant;
  }

  @Override
  double singleValue() {
    double[] d = constantDoubles();
    return d != null && d.length == 1 ? d[0] : Double.NaN;
  }

  @Override
  double[] constantDoubles() {
    if (!(constant instanceof ArrayData)) {
      return null;
    }
    ArrayData a = (ArrayData) constant;
    for (int i = 0; i < a.numElements(); i++) {
      if (a.isNullAt(i)) {
        return null;
      }
    }
    return a.toDoubleArray();
  }
}
