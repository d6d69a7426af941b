package io.sparkbce.udf;

import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/** A column of the batch, read directly from its vector. */
final class BatchColumn extends BatchArgument {
  private static final long serialVersionUID = 1L;
  private final int ordinal;
  private final DataType type;

  BatchColumn(int ordinal, DataType type) {
    this.ordinal = ordinal;
    this.type = type;
  }

  int ordinal() {
    return ordinal;
  }

  @Override
  boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
    ColumnVector c = batch.column(ordinal);
    if (type instanceof DoubleType) {
      for (int i = 0; i < n; i++) {
        column[i] = c.getDouble(from + i);
      }
    } else if (type instanceof FloatType) {
      for (int i = 0; i < n; i++) {
        column[i] = c.getFloat(from + i);
      }
    } else {
      for (int i = 0; i < n; i++) {
        column[i] = c.isNullAt(from + i) ? 0.0 : widened(c, from + i);
      }
    }
    if (!c.hasNull()) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      nulls[i] |= c.isNullAt(from + i);
    }
    return true;
  }

  private double widened(ColumnVector c, int i) {
    return type instanceof BooleanType ? (c.getBoolean(i) ? 1.0 : 0.0) : integral(c, type, i);
  }

  /** Row i of an integral column (BIGINT, INT, SMALLINT, TINYINT) as a long. */
  static long integral(ColumnVector c, DataType type, int i) {
    if (type instanceof IntegerType) {
      return c.getInt(i);
    } else if (type instanceof LongType) {
      return c.getLong(i);
    } else if (type instanceof ShortType) {
      return c.getShort(i);
    }
    return c.getByte(i);
  }

  @Override
  Object value(ColumnarBatch batch, int i) {
    ColumnVector c = batch.column(ordinal);
    if (c.isNullAt(i)) {
      return null;
    }
    if (type instanceof ArrayType) {
      return c.getArray(i);
    }
    return type instanceof DoubleType ? c.getDouble(i)
        : type instanceof FloatType ? (double) c.getFloat(i) : widened(c, i);
  }

  @Override
  WritableColumnVector arrays(ColumnarBatch batch) {
    ColumnVector c = batch.column(ordinal);
    if (!(type instanceof ArrayType) || !(c instanceof WritableColumnVector)) {
      return null;
    }
    DataType element = ((ArrayType) type).elementType();
    return element instanceof FloatType || element instanceof DoubleType
        ? (WritableColumnVector) c : null;
  }
}
