package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sparkbce.job.InputColumns;
import io.sparkbce.job.InputColumns.Shape;
import io.sparkbce.testing.TestSpark;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorCase} gives, row for row, what Spark's own evaluation of the same optimized
 * {@code CASE WHEN} gives, over NULL, NaN, -0.0 and infinite values, with and without a selection
 * of rows; and it takes the jobs' invalid-reason expression.
 */
class VectorCaseTest {
  private static final SparkSession spark = TestSpark.session();
  private static final StructType SCHEMA = new StructType()
      .add("x", DataTypes.DoubleType).add("xf", DataTypes.FloatType)
      .add("yi", DataTypes.IntegerType).add("k", DataTypes.LongType);
  private static final Double[] DOUBLES = {null, Double.NaN, -0.0, 0.0, 0.5, 1.0, 1.5, 2.0, -1.0,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
  private static final Integer[] INTS = {null, -1, 0, 1};
  private static final Long[] LONGS = {null, 0L, 8990L, 9000L};
  private static ColumnarBatch batch;

  @BeforeAll
  static void table() {
    String path = new File("target/vector-case-test").getAbsolutePath();
    spark.createDataFrame(List.of(), SCHEMA).write().mode("overwrite").parquet(path);
    spark.read().parquet(path).createOrReplaceTempView("vc");
    List<Object[]> rows = new ArrayList<>();
    for (Double x : DOUBLES) {
      for (Double xf : DOUBLES) {
        for (Integer yi : INTS) {
          for (Long k : LONGS) {
            rows.add(new Object[] {x, xf == null ? null : xf.floatValue(), yi, k});
          }
        }
      }
    }
    WritableColumnVector[] v = OnHeapColumnVector.allocateColumns(rows.size(), SCHEMA);
    for (int i = 0; i < rows.size(); i++) {
      Object[] r = rows.get(i);
      if (r[0] == null) v[0].putNull(i); else v[0].putDouble(i, (Double) r[0]);
      if (r[1] == null) v[1].putNull(i); else v[1].putFloat(i, (Float) r[1]);
      if (r[2] == null) v[2].putNull(i); else v[2].putInt(i, (Integer) r[2]);
      if (r[3] == null) v[3].putNull(i); else v[3].putLong(i, (Long) r[3]);
    }
    batch = new ColumnarBatch(v, rows.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "CASE WHEN x IS NULL THEN 'null' WHEN isnan(x) THEN 'nan' WHEN x < 0.0 OR x > 1.0"
        + " THEN 'range' END",
    // NaN is above every number in Spark's comparisons; -0.0 equals 0.0.
    "CASE WHEN x > 1.5 OR x < -0.0D THEN 'out' WHEN 0 >= yi AND xf <= 0.5 THEN 'low'"
        + " WHEN isnan(xf) THEN 'nan' WHEN k IS NOT NULL AND k >= 8990 THEN 'k' ELSE 'ok' END",
    "CASE WHEN 1.0 <= x THEN 'a' WHEN xf < 0 THEN 'b' WHEN yi > 0 THEN NULL"
        + " WHEN 8990 > k OR xf >= 1 THEN 'c' ELSE 'é' END",
  })
  void sameAsSparksEvaluation(String sql) {
    check(expression(spark.table("vc").selectExpr(sql)));
  }

  @Test
  void theJobsInvalidReason() {
    Dataset<Row> t = spark.table("vc");
    Column reason = InputColumns.reason(t.col("x"), new Shape(0, false, DataTypes.DoubleType),
        t.col("xf"), new Shape(0, false, DataTypes.FloatType), null, null);
    check(expression(t.select(reason)));
  }

  @Test
  void otherFormsAreLeftToTheProjection() {
    // A computed value, a computed operand, an equality: not this form.
    assertNull(VectorCase.of(expression(spark.table("vc").selectExpr(
        "CASE WHEN x IS NULL THEN string(k) END"))));
    assertNull(VectorCase.of(expression(spark.table("vc").selectExpr(
        "CASE WHEN x + 1 > 2 THEN 'a' END"))));
    assertNull(VectorCase.of(expression(spark.table("vc").selectExpr(
        "CASE WHEN yi = 1 THEN 'a' END"))));
  }

  /** The optimized expression of the query's one column, bound to the table's columns. */
  static Expression expression(Dataset<Row> df) {
    LogicalPlan plan = df.queryExecution().optimizedPlan();
    Expression e = (Expression) ((Project) plan).projectList().apply(0);
    return BatchArgument.bound(e instanceof Alias a ? a.child() : e, plan.children().apply(0)
        .output());
  }

  private static void check(Expression e) {
    VectorCase vc = VectorCase.of(e);
    assertNotNull(vc, e.toString());
    int n = batch.numRows();
    int[] odd = new int[n / 2];
    for (int i = 0; i < n; i++) {
      if (i % 2 == 1 && i / 2 < odd.length) {
        odd[i / 2] = i;
      }
    }
    compare(vc, e, null, n);
    compare(vc, e, odd, odd.length);
    // Each row alone: most conditions then hold on no row, and are skipped.
    for (int i = 0; i < n; i++) {
      compare(vc, e, new int[] {i}, 1);
    }
    // The rows where no branch holds, alone, and each of them with one row that one branch takes.
    List<Integer> none = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (noBranchHolds(e, batch.getRow(i))) {
        none.add(i);
      }
    }
    int[] otherwise = none.stream().mapToInt(Integer::intValue).toArray();
    compare(vc, e, otherwise, otherwise.length);
    for (int i = 0; i < n; i += 7) {
      int[] mixed = java.util.Arrays.copyOf(otherwise, otherwise.length + 1);
      mixed[otherwise.length] = i;
      compare(vc, e, mixed, mixed.length);
    }
  }

  /** Whether Spark's evaluation finds no TRUE condition of the CASE WHEN {@code e} on row r. */
  private static boolean noBranchHolds(Expression e, org.apache.spark.sql.catalyst.InternalRow r) {
    scala.collection.immutable.Seq<scala.Tuple2<Expression, Expression>> branches =
        ((org.apache.spark.sql.catalyst.expressions.CaseWhen) e).branches();
    for (int b = 0; b < branches.size(); b++) {
      if (Boolean.TRUE.equals(branches.apply(b)._1().eval(r))) {
        return false;
      }
    }
    return true;
  }

  private static void compare(VectorCase vc, Expression e, int[] rows, int n) {
    WritableColumnVector out = new OnHeapColumnVector(16, DataTypes.StringType);
    vc.write(batch, rows, n, out);
    for (int j = 0; j < n; j++) {
      int i = rows == null ? j : rows[j];
      Object expected = e.eval(batch.getRow(i));
      ColumnVector c = out;
      Object actual = c.isNullAt(j) ? null : c.getUTF8String(j);
      assertEquals(String.valueOf(expected), String.valueOf(actual), "row " + i + ": " + e);
    }
  }
}
