package io.sparkbce.udf;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkbce.testing.TestSpark;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link VectorLongColumn} gives, row for row, what Spark's own evaluation of the same optimized
 * expression gives: the window start {@code monitor} groups by (Spark's {@code window()}) over
 * NULL times, times before 1970, on and next to window boundaries and at the ends of the
 * TIMESTAMP range, with and without a selection of rows; BIGINT arithmetic with ANSI overflow
 * (Spark's error), overflow on a branch Spark does not take (Spark's values), and non-ANSI
 * wrapping and remainder by zero; the same for the struct of a window's start and end
 * ({@link VectorStructColumn}) that SQL's {@code GROUP BY window(ts, ...)} groups by.
 */
class VectorLongTest {
  private static final SparkSession spark = TestSpark.session();
  private static final StructType SCHEMA = new StructType().add("ts", DataTypes.TimestampType)
      .add("k", DataTypes.LongType).add("z", DataTypes.LongType);
  private static final long DAY = 86_400_000_000L;
  /** Microseconds since 1970: boundaries and neighbours, 0001-01-01, 9999-12-31 23:59:59.999999. */
  private static final Long[] TIMES = {null, 0L, -1L, 1L, DAY - 1, DAY, -DAY, -DAY - 1, -DAY + 1,
      -62_135_596_800_000_000L, 253_402_300_799_999_999L, 1_700_000_000_123_456L,
      -1_234_567_890_123L, 3_600_000_000L * 7 - 1};
  private static final Long[] KS = {null, 0L, 1L, -1L, 2L, 5L};
  private static final Long[] ZS = {null, 0L, 3L, -7L};
  private static ColumnarBatch batch;

  @BeforeAll
  static void table() {
    String path = new File("target/vector-long-test").getAbsolutePath();
    spark.createDataFrame(List.of(), SCHEMA).write().mode("overwrite").parquet(path);
    spark.read().parquet(path).createOrReplaceTempView("vl");
    List<Long[]> rows = new ArrayList<>();
    for (Long t : TIMES) {
      for (Long k : KS) {
        for (Long z : ZS) {
          rows.add(new Long[] {t, k, z});
        }
      }
    }
    WritableColumnVector[] v = OnHeapColumnVector.allocateColumns(rows.size(), SCHEMA);
    for (int i = 0; i < rows.size(); i++) {
      for (int c = 0; c < 3; c++) {
        Long x = rows.get(i)[c];
        if (x == null) {
          v[c].putNull(i);
        } else {
          v[c].putLong(i, x);
        }
      }
    }
    batch = new ColumnarBatch(v, rows.size());
  }

  /** monitor's key: the start of the window of the row's time, NULL without a time. */
  @ParameterizedTest
  @ValueSource(strings = {"1 day", "1 hour", "15 minutes", "7 days", "1 microsecond"})
  void theWindowStartMonitorGroupsBy(String size) {
    Column ts = spark.table("vl").col("ts");
    check(expression(spark.table("vl").select(when(ts.isNotNull(),
        window(coalesce(ts, timestamp_seconds(lit(0L))), size).getField("start")))));
  }

  @Test
  void windowsWithAStartOffset() {
    check(expression(spark.table("vl").selectExpr(
        "window(ts, '1 hour', '1 hour', '-17 minutes').start")));
    check(expression(spark.table("vl").selectExpr(
        "window(ts, '1 day', '1 day', '5 hours').end")));
  }

  /**
   * {@code GROUP BY window(ts, ...)}: Spark's struct of the window's start and end, computed over
   * the vectors as one tree ({@link VectorStructColumn}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"'1 day'", "'1 hour'", "'1 microsecond'",
      "'1 hour', '1 hour', '-17 minutes'", "'1 day', '1 day', '5 hours'"})
  void theWindowStructSqlGroupsBy(String args) {
    checkStruct(expression(spark.table("vl").selectExpr("window(ts, " + args + ")")));
  }

  @Test
  void structsWithOverflowAreSparksValuesOrErrors() {
    // overflow on a branch no row takes: Spark's values
    checkStruct(expression(spark.table("vl").selectExpr("named_struct('a', CASE WHEN k < 2 THEN"
        + " k * 4611686018427387904 ELSE k END, 'b', z)")));
    Expression e = expression(spark.table("vl").selectExpr(
        "named_struct('a', z, 'b', k * 4611686018427387904)"));
    RuntimeException expected = assertThrows(RuntimeException.class, () -> {
      for (int i = 0; i < batch.numRows(); i++) {
        e.eval(batch.getRow(i));
      }
    });
    VectorStructColumn c = VectorStructColumn.of(e);
    assertNotNull(c);
    RuntimeException actual = assertThrows(RuntimeException.class, () -> c.write(batch, null,
        batch.numRows(), new OnHeapColumnVector(16, e.dataType())));
    assertEquals(expected.getClass(), actual.getClass());
    assertEquals(expected.getMessage(), actual.getMessage());
    // a field of another form: left to the projection
    assertNull(VectorStructColumn.of(expression(spark.table("vl").selectExpr(
        "named_struct('a', k, 'b', abs(z))"))));
  }

  /**
   * One column object computes batch after batch (its arrays are reused): random times over the
   * whole TIMESTAMP range and near 1970, batches with NULLs, without, and with again, so that no
   * NULL of one batch stays in the next; windows of sizes the floor modulo takes (2 microseconds
   * and up) and of one microsecond (the CASE WHEN), with offsets, ANSI on and off.
   */
  @ParameterizedTest
  @ValueSource(strings = {"'1 day'", "'7 days'", "'13 seconds'", "'2 microseconds'",
      "'1 microsecond'", "'1 hour', '1 hour', '-17 minutes'", "'1 day', '1 day', '5 hours'"})
  void windowsOverBatchAfterBatchOfRandomTimes(String args) {
    for (String ansi : List.of("true", "false")) {
      spark.conf().set("spark.sql.ansi.enabled", ansi);
      try {
        Expression struct = expression(spark.table("vl").selectExpr("window(ts, " + args + ")"));
        Expression start = expression(spark.table("vl").selectExpr(
            "window(ts, " + args + ").start"));
        VectorStructColumn s = VectorStructColumn.of(struct);
        VectorLongColumn c = VectorLongColumn.of(start);
        assertNotNull(s, struct.toString());
        assertNotNull(c, start.toString());
        for (int b = 0; b < 4; b++) {
          ColumnarBatch random = randomBatch(b, b % 2 == 0, 3000);
          compareStruct(s, struct, random, null, random.numRows());
          compareStruct(s, struct, random, odd(random.numRows()), random.numRows() / 2);
          compare(c, start, random, null, random.numRows());
        }
      } finally {
        spark.conf().unset("spark.sql.ansi.enabled");
      }
    }
  }

  /** CASE WHEN and COALESCE over batches with and without NULLs, one column object. */
  @Test
  void nullsOfOneBatchDoNotStayInTheNext() {
    for (String sql : List.of("CASE WHEN k < 2 THEN k * 3 WHEN z IS NULL THEN 0 - k ELSE z END",
        "coalesce(k, z) + 1", "coalesce(k, z, 7) % 3", "CASE WHEN k > 0 THEN k % 2 END")) {
      Expression e = expression(spark.table("vl").selectExpr(sql));
      VectorLongColumn c = VectorLongColumn.of(e);
      assertNotNull(c, sql);
      for (int b = 0; b < 4; b++) {
        ColumnarBatch random = randomBatch(10 + b, b % 2 == 1, 2000);
        compare(c, e, random, null, random.numRows());
      }
    }
  }

  /** Times (column 0) and small numbers (k, z); NULLs in about a tenth of the rows if asked. */
  private static ColumnarBatch randomBatch(long seed, boolean nulls, int n) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    WritableColumnVector[] v = OnHeapColumnVector.allocateColumns(n, SCHEMA);
    for (int i = 0; i < n; i++) {
      long t = switch (random.nextInt(3)) {
        case 0 -> random.nextLong(-62_135_596_800_000_000L, 253_402_300_799_999_999L);
        case 1 -> random.nextLong(-3 * DAY, 3 * DAY);
        default -> TIMES[1 + random.nextInt(TIMES.length - 1)] + random.nextLong(-2, 3);
      };
      long[] row = {t, random.nextLong(-5, 6), random.nextLong(-9, 10)};
      for (int c = 0; c < 3; c++) {
        if (nulls && random.nextInt(10) == 0) {
          v[c].putNull(i);
        } else {
          v[c].putLong(i, row[c]);
        }
      }
    }
    return new ColumnarBatch(v, n);
  }

  @Test
  void arithmeticWithoutOverflow() {
    check(expression(spark.table("vl").selectExpr("coalesce(k, z, 7) * 3 - z % 3 + k")));
    // overflows on a branch no row takes where it overflows: Spark's values, not its error
    check(expression(spark.table("vl").selectExpr(
        "CASE WHEN k < 2 THEN k * 4611686018427387904 WHEN z IS NULL THEN 0 - k ELSE k END")));
  }

  @Test
  void ansiOverflowAndDivisionByZeroAreSparksErrors() {
    for (String sql : List.of("k * 4611686018427387904", "k % z")) {
      Expression e = expression(spark.table("vl").selectExpr(sql));
      RuntimeException expected = assertThrows(RuntimeException.class, () -> {
        for (int i = 0; i < batch.numRows(); i++) {
          e.eval(batch.getRow(i));
        }
      });
      VectorLongColumn c = VectorLongColumn.of(e);
      assertNotNull(c, sql);
      RuntimeException actual = assertThrows(RuntimeException.class, () -> c.write(batch, null,
          batch.numRows(), new OnHeapColumnVector(16, DataTypes.LongType)), sql);
      assertEquals(expected.getClass(), actual.getClass(), sql);
      assertEquals(expected.getMessage(), actual.getMessage(), sql);
    }
  }

  @Test
  void nonAnsiArithmeticWrapsAndRemainderByZeroIsNull() {
    spark.conf().set("spark.sql.ansi.enabled", "false");
    try {
      check(expression(spark.table("vl").selectExpr(
          "k * 4611686018427387904 + 9223372036854775807")));
      check(expression(spark.table("vl").selectExpr("k % z - z")));
    } finally {
      spark.conf().unset("spark.sql.ansi.enabled");
    }
  }

  @Test
  void otherFormsAreLeftToTheProjection() {
    // TRY arithmetic, INT and DOUBLE values, a function: not this form
    for (String sql : List.of("try_add(k, z)", "int(k) + 1", "double(k) * 2", "abs(k)")) {
      assertNull(VectorLongColumn.of(expression(spark.table("vl").selectExpr(sql))), sql);
    }
  }

  private static Expression expression(Dataset<Row> df) {
    return VectorCaseTest.expression(df);
  }

  private static void check(Expression e) {
    VectorLongColumn c = VectorLongColumn.of(e);
    assertNotNull(c, e.toString());
    int n = batch.numRows();
    int[] odd = odd(n);
    compare(c, e, batch, null, n);
    compare(c, e, batch, odd, odd.length);
  }

  private static void checkStruct(Expression e) {
    VectorStructColumn c = VectorStructColumn.of(e);
    assertNotNull(c, e.toString());
    int n = batch.numRows();
    for (int[] rows : new int[][] {null, odd(n)}) {
      compareStruct(c, e, batch, rows, rows == null ? n : rows.length);
    }
  }

  private static void compareStruct(VectorStructColumn c, Expression e, ColumnarBatch batch,
      int[] rows, int m) {
    StructType type = (StructType) e.dataType();
    WritableColumnVector out = new OnHeapColumnVector(16, type);
    c.write(batch, rows, m, out);
    assertEquals(m, out.getElementsAppended(), e.toString());
    for (int j = 0; j < m; j++) {
      int i = rows == null ? j : rows[j];
      org.apache.spark.sql.catalyst.InternalRow expected =
          (org.apache.spark.sql.catalyst.InternalRow) e.eval(batch.getRow(i));
      assertEquals(expected == null, out.isNullAt(j), "row " + i + ": " + e);
      for (int f = 0; f < type.size(); f++) {
        Object want = expected.isNullAt(f) ? null : expected.getLong(f);
        Object got = out.getChild(f).isNullAt(j) ? null : out.getChild(f).getLong(j);
        assertEquals(want, got, "row " + i + ", field " + f + ": " + e);
      }
    }
  }

  private static int[] odd(int n) {
    int[] odd = new int[n / 2];
    for (int j = 0; j < odd.length; j++) {
      odd[j] = 2 * j + 1;
    }
    return odd;
  }

  private static void compare(VectorLongColumn c, Expression e, ColumnarBatch batch, int[] rows,
      int n) {
    WritableColumnVector out = new OnHeapColumnVector(16, DataTypes.LongType);
    c.write(batch, rows, n, out);
    for (int j = 0; j < n; j++) {
      int i = rows == null ? j : rows[j];
      Object expected = e.eval(batch.getRow(i));
      Object actual = out.isNullAt(j) ? null : out.getLong(j);
      assertEquals(expected, actual, "row " + i + ": " + e);
    }
    assertEquals(n, out.getElementsAppended(), e.toString());
  }
}
