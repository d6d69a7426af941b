package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.values.dictionary.PlainValuesDictionary.PlainFloatDictionary;
import org.apache.spark.sql.execution.datasources.parquet.ParquetDictionary;
import org.apache.spark.sql.execution.vectorized.OffHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * A dictionary-encoded FLOAT vector read through {@link DictionaryFloats} gives, element by
 * element, the bits of Spark's own {@code getFloat} widened to double; the table is decoded once
 * per Parquet dictionary, however often Spark wraps it anew.
 */
class DictionaryFloatsTest {
  private static final float[] ENTRIES = {
    1.5f, -0.0f, 0.0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY,
    0.1f, -3.25e-20f, 7e30f
  };

  private static PlainFloatDictionary parquetDictionary(float[] entries) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(4 * entries.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : entries) {
      b.putFloat(f);
    }
    return new PlainFloatDictionary(
        new DictionaryPage(BytesInput.from(b.array()), entries.length, Encoding.PLAIN_DICTIONARY));
  }

  private static WritableColumnVector encoded(WritableColumnVector v, PlainFloatDictionary d,
      int n) {
    WritableColumnVector ids = v.reserveDictionaryIds(n);
    for (int i = 0; i < n; i++) {
      ids.putInt(i, (i * 7) % ENTRIES.length);
    }
    v.setDictionary(new ParquetDictionary(d, false));
    return v;
  }

  @Test
  void elementsAreSparksFloats() throws Exception {
    int n = 50;
    PlainFloatDictionary d = parquetDictionary(ENTRIES);
    WritableColumnVector v = encoded(new OnHeapColumnVector(n, DataTypes.FloatType), d, n);
    DictionaryFloats reader = new DictionaryFloats();
    double[] table = reader.table(v);
    assertNotNull(table);
    int[] ids = DictionaryFloats.ids(v);
    for (int i = 0; i < n; i++) {
      assertEquals(Double.doubleToRawLongBits(v.getFloat(i)),
          Double.doubleToRawLongBits(table[ids[i]]), "element " + i);
    }
    // Spark wraps the same Parquet dictionary anew for the next page: the table is kept.
    v.setDictionary(new ParquetDictionary(d, false));
    assertSame(table, reader.table(v));
    // Another column chunk's dictionary: decoded again.
    v.setDictionary(new ParquetDictionary(parquetDictionary(new float[] {2f, 3f}), false));
    double[] other = reader.table(v);
    assertNotSame(table, other);
    assertEquals(2.0, other[0]);
    assertEquals(3.0, other[1]);
  }

  @Test
  void otherVectorsAreLeftToGetFloats() throws Exception {
    int n = 10;
    DictionaryFloats reader = new DictionaryFloats();
    WritableColumnVector plain = new OnHeapColumnVector(n, DataTypes.FloatType);
    assertNull(reader.table(plain));
    WritableColumnVector offHeap = encoded(new OffHeapColumnVector(n, DataTypes.FloatType),
        parquetDictionary(ENTRIES), n);
    assertNull(reader.table(offHeap));
    offHeap.close();
  }
}
