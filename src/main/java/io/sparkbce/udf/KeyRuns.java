package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Grouping keys that are plain columns of numbers, dates, times or strings, read from their
 * vectors to tell whether a row's key is the previous row's: rows of a group come in runs (days,
 * the jobs' invalid reason, sorted keys), and a run needs no key row built per row. "Same" means
 * the same bits (the key row would be byte for byte the same); anything else is left to the key
 * projection, so this never joins rows Spark's grouping would tell apart.
 */
final class KeyRuns implements Serializable {
  private static final long serialVersionUID = 1L;
  private final int[] ordinals;
  private final DataType[] types;

  private KeyRuns(int[] ordinals, DataType[] types) {
    this.ordinals = ordinals;
    this.types = types;
  }

  /** For keys bound to the batch's columns; null unless each is such a column. */
  static KeyRuns of(Expression[] keys) {
    int[] ordinals = new int[keys.length];
    DataType[] types = new DataType[keys.length];
    for (int k = 0; k < keys.length; k++) {
      if (!(keys[k] instanceof BoundReference b) || !comparable(b.dataType())) {
        return null;
      }
      ordinals[k] = b.ordinal();
      types[k] = b.dataType();
    }
    return new KeyRuns(ordinals, types);
  }

  private static boolean comparable(DataType t) {
    return t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType
        || t instanceof IntegerType || t instanceof DateType || t instanceof LongType
        || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof FloatType
        || t instanceof DoubleType || t instanceof StringType;
  }

  /** Whether row {@code i} (> 0) of {@code batch} has row i - 1's key. */
  boolean sameAsPrevious(ColumnarBatch batch, int i) {
    for (int k = 0; k < ordinals.length; k++) {
      ColumnVector c = batch.column(ordinals[k]);
      boolean isNull = c.isNullAt(i);
      if (isNull != c.isNullAt(i - 1)) {
        return false;
      }
      if (!isNull && !sameValue(c, types[k], i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameValue(ColumnVector c, DataType t, int i) {
    if (t instanceof IntegerType || t instanceof DateType) {
      return c.getInt(i) == c.getInt(i - 1);
    } else if (t instanceof LongType || t instanceof TimestampType
        || t instanceof TimestampNTZType) {
      return c.getLong(i) == c.getLong(i - 1);
    } else if (t instanceof StringType) {
      return c.getUTF8String(i).equals(c.getUTF8String(i - 1));
    } else if (t instanceof DoubleType) {
      return Double.doubleToRawLongBits(c.getDouble(i))
          == Double.doubleToRawLongBits(c.getDouble(i - 1));
    } else if (t instanceof FloatType) {
      return Float.floatToRawIntBits(c.getFloat(i)) == Float.floatToRawIntBits(c.getFloat(i - 1));
    } else if (t instanceof ShortType) {
      return c.getShort(i) == c.getShort(i - 1);
    } else if (t instanceof ByteType) {
      return c.getByte(i) == c.getByte(i - 1);
    }
    return c.getBoolean(i) == c.getBoolean(i - 1);
  }
}
