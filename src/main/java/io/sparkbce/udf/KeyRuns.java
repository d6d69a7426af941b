package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
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
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Grouping keys that are plain columns of numbers, dates, times or strings, or structs of those
 * (a window: its start and end), read from their vectors to tell whether a row's key is the
 * previous row's: rows of a group come in runs (days, windows, the jobs' invalid reason, sorted
 * keys), and a run needs no key row built per row. "Same" means
 * the same bits (the key row would be byte for byte the same); anything else is left to the key
 * projection, so this never joins rows Spark's grouping would tell apart.
 */
final class KeyRuns implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int INT = 0;
  private static final int LONG = 1;
  private static final int STRING = 2;
  private static final int DOUBLE = 3;
  private static final int FLOAT = 4;
  private static final int SHORT = 5;
  private static final int BYTE = 6;
  private static final int BOOLEAN = 7;
  private final int[] ordinals;
  /** Each key's kind of value (INT ... BOOLEAN): told once, not per row. */
  private final int[] kinds;
  /** Per key, its fields' kinds if it is a struct, else null. */
  private final int[][] fields;

  private KeyRuns(int[] ordinals, DataType[] types) {
    this.ordinals = ordinals;
    this.kinds = new int[types.length];
    this.fields = new int[types.length][];
    for (int k = 0; k < types.length; k++) {
      fields[k] = fieldKinds(types[k]);
      kinds[k] = fields[k] == null ? kind(types[k]) : -1;
    }
  }

  private static int kind(DataType t) {
    if (t instanceof IntegerType || t instanceof DateType) {
      return INT;
    } else if (t instanceof LongType || t instanceof TimestampType
        || t instanceof TimestampNTZType) {
      return LONG;
    } else if (t instanceof StringType) {
      return STRING;
    } else if (t instanceof DoubleType) {
      return DOUBLE;
    } else if (t instanceof FloatType) {
      return FLOAT;
    } else if (t instanceof ShortType) {
      return SHORT;
    } else if (t instanceof ByteType) {
      return BYTE;
    }
    return BOOLEAN;
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

  /**
   * Each key's fields' kinds when it is a struct of comparable values (a window's start and
   * end), else null.
   */
  private static int[] fieldKinds(DataType t) {
    if (!(t instanceof StructType s)) {
      return null;
    }
    int[] kinds = new int[s.fields().length];
    for (int f = 0; f < kinds.length; f++) {
      kinds[f] = kind(s.fields()[f].dataType());
    }
    return kinds;
  }

  private static boolean comparable(DataType t) {
    if (t instanceof StructType s) {
      for (StructField f : s.fields()) {
        if (f.dataType() instanceof StructType || !comparable(f.dataType())) {
          return false;
        }
      }
      return true;
    }
    return t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType
        || t instanceof IntegerType || t instanceof DateType || t instanceof LongType
        || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof FloatType
        || t instanceof DoubleType || t instanceof StringType;
  }

  /**
   * {@code same[i]} = whether row i of {@code batch} has row i - 1's key, for 0 < i < n (row 0:
   * false). A column at a time, each in a loop of its own kind; never "the same" of keys that
   * differ (a NULL struct's fields are compared too, which can only say "not the same", and the
   * key projection then finds the keys equal).
   */
  void mark(ColumnarBatch batch, int n, boolean[] same) {
    if (n == 0) {
      return;
    }
    java.util.Arrays.fill(same, 0, n, true);
    same[0] = false;
    for (int k = 0; k < ordinals.length; k++) {
      ColumnVector c = batch.column(ordinals[k]);
      if (fields[k] == null) {
        markColumn(c, kinds[k], n, same);
      } else {
        markNulls(c, n, same);
        for (int f = 0; f < fields[k].length; f++) {
          markColumn(c.getChild(f), fields[k][f], n, same);
        }
      }
    }
  }

  private static void markNulls(ColumnVector c, int n, boolean[] same) {
    if (!c.hasNull() || allNull(c, n)) {
      return;
    }
    for (int i = 1; i < n; i++) {
      same[i] &= c.isNullAt(i) == c.isNullAt(i - 1);
    }
  }

  /**
   * NULLs, then the values of non-NULL rows (a NULL row's value is not read: a dictionary-encoded
   * vector may hold no valid id there); a vector without NULLs in a loop of its own kind.
   */
  private static void markColumn(ColumnVector c, int kind, int n, boolean[] same) {
    if (allNull(c, n)) {
      return; // every row NULL, so each is the one before it (the jobs' reason of valid rows)
    }
    if (c.hasNull()) {
      markNulls(c, n, same);
      for (int i = 1; i < n; i++) {
        if (same[i] && !c.isNullAt(i)) {
          same[i] = sameValue(c, kind, i);
        }
      }
      return;
    }
    switch (kind) {
      case INT -> {
        for (int i = 1; i < n; i++) {
          same[i] &= c.getInt(i) == c.getInt(i - 1);
        }
      }
      case LONG -> {
        for (int i = 1; i < n; i++) {
          same[i] &= c.getLong(i) == c.getLong(i - 1);
        }
      }
      default -> {
        for (int i = 1; i < n; i++) {
          if (same[i]) {
            same[i] = sameValue(c, kind, i);
          }
        }
      }
    }
  }

  /**
   * Whether rows 0 .. n-1 are all NULL, from the vector's NULL count where that count is exact: a
   * vector filled by appending exactly n values (the batch pipeline's computed columns). A reader's
   * vector may count a NULL twice, so it is never taken as all NULL here.
   */
  private static boolean allNull(ColumnVector c, int n) {
    return n > 0 && c instanceof WritableColumnVector w && w.getElementsAppended() == n
        && w.numNulls() == n;
  }

  private static boolean sameValue(ColumnVector c, int kind, int i) {
    return switch (kind) {
      case INT -> c.getInt(i) == c.getInt(i - 1);
      case LONG -> c.getLong(i) == c.getLong(i - 1);
      case STRING -> c.getUTF8String(i).equals(c.getUTF8String(i - 1));
      case DOUBLE -> Double.doubleToRawLongBits(c.getDouble(i))
          == Double.doubleToRawLongBits(c.getDouble(i - 1));
      case FLOAT -> Float.floatToRawIntBits(c.getFloat(i))
          == Float.floatToRawIntBits(c.getFloat(i - 1));
      case SHORT -> c.getShort(i) == c.getShort(i - 1);
      case BYTE -> c.getByte(i) == c.getByte(i - 1);
      default -> c.getBoolean(i) == c.getBoolean(i - 1);
    };
  }
}
