package io.sparkbce.udf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.spark.sql.execution.datasources.parquet.ParquetDictionary;
import org.apache.spark.sql.execution.vectorized.Dictionary;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/**
 * A dictionary-encoded on-heap FLOAT column vector read as its ids in place and its dictionary
 * decoded once into doubles: element i is {@code table[ids[i]]}. Why: {@code getFloats} on such a
 * vector decodes element by element (a NULL check and two interface calls each) into a new array,
 * which the caller then widens to double; on 1M rows x 64 Parquet FLOATs (x and y both dictionary
 * pages) that was a third of the array path's own CPU.
 *
 * <p>The table is decoded once per Parquet dictionary (one per column chunk), not per batch: Spark
 * wraps the same dictionary in a new {@link ParquetDictionary} for every page it reads, so that
 * wrapper is decoded through but the table is kept for the Parquet dictionary inside it. Each
 * entry is the wrapper's own {@code decodeToFloat}, what {@code getFloats} returns. Anything
 * else (off-heap vectors, another dictionary class, a Spark whose fields are not there) gets null,
 * and the caller uses {@code getFloats}. One instance per column of a task: not thread-safe.
 */
final class DictionaryFloats {
  private static final VarHandle DICTIONARY =
      field(WritableColumnVector.class, "dictionary", Dictionary.class);
  private static final VarHandle PARQUET_DICTIONARY = field(ParquetDictionary.class, "dictionary",
      org.apache.parquet.column.Dictionary.class);
  private static final VarHandle INT_DATA = field(OnHeapColumnVector.class, "intData", int[].class);

  /** The Parquet dictionary {@link #table} holds, or null. */
  private Object decoded;
  private double[] table;

  private static VarHandle field(Class<?> owner, String name, Class<?> type) {
    try {
      return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
          .findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The values of {@code v}'s dictionary as doubles, index = id, or null if {@code v} cannot be
   * read this way (then {@link #ids} is not to be used either).
   */
  double[] table(WritableColumnVector v) {
    if (DICTIONARY == null || PARQUET_DICTIONARY == null || INT_DATA == null
        || !(v instanceof OnHeapColumnVector) || !v.hasDictionary()
        || !(v.getDictionaryIds() instanceof OnHeapColumnVector)) {
      return null;
    }
    Object wrapper = DICTIONARY.get((WritableColumnVector) v);
    if (!(wrapper instanceof ParquetDictionary)) {
      return null;
    }
    Object source = PARQUET_DICTIONARY.get((ParquetDictionary) wrapper);
    if (!(source instanceof org.apache.parquet.column.Dictionary)) {
      return null;
    }
    if (source != decoded) {
      ParquetDictionary d = (ParquetDictionary) wrapper;
      double[] t = new double[((org.apache.parquet.column.Dictionary) source).getMaxId() + 1];
      for (int id = 0; id < t.length; id++) {
        t[id] = d.decodeToFloat(id);
      }
      table = t;
      decoded = source;
    }
    return table;
  }

  /** The dictionary ids of {@code v}, index = row, in place; only after {@link #table} gave one. */
  static int[] ids(WritableColumnVector v) {
    return (int[]) INT_DATA.get((OnHeapColumnVector) v.getDictionaryIds());
  }
}
