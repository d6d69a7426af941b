package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.BinaryComparison;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.IsNaN;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.util.SQLOrderingUtil;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * A condition of a {@code CASE WHEN} evaluated over a batch's column vectors a column at a time
 * ({@link VectorCase}, {@link VectorLong}): NULL and NaN tests and comparisons of a number column
 * with a constant, comparisons and NULL tests of BIGINT or TIMESTAMP values {@link VectorLong}
 * computes, joined by AND and OR. It marks the rows where the condition is TRUE: a NULL condition
 * is not taken by CASE WHEN, so FALSE and NULL need not be told apart (TRUE of {@code a OR b} is
 * TRUE of a or TRUE of b, of {@code a AND b} TRUE of both). Numbers compare as Spark compares them: NaN
 * above every number, -0.0 equal to 0.0.
 */
abstract class VectorCondition implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * {@code result[j]} = whether the condition is TRUE on row {@code rows[j]} of {@code batch} (row
   * j if {@code rows} is null), for j below n; returns whether it is TRUE on any of them, so that
   * callers skip merging a condition that holds nowhere (the jobs' invalid-row tests, on valid
   * data).
   */
  abstract boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result);

  /** Whether any of result[0..n-1] is true. */
  static boolean any(boolean[] result, int n) {
    for (int j = 0; j < n; j++) {
      if (result[j]) {
        return true;
      }
    }
    return false;
  }

  /** {@code e} (bound to the batch's columns) this way, or null if it has another form. */
  static VectorCondition of(Expression e) {
    return of(e, new VectorLong.Builder());
  }

  /** {@link #of(Expression)} with the computed values of {@code values}' tree. */
  static VectorCondition of(Expression e, VectorLong.Builder values) {
    if (e instanceof Or o) {
      return both(o.left(), o.right(), true, values);
    }
    if (e instanceof And a) {
      return both(a.left(), a.right(), false, values);
    }
    if (e instanceof IsNull n && n.child() instanceof BoundReference b) {
      return new NullTest(b.ordinal(), true);
    }
    if (e instanceof IsNotNull n && n.child() instanceof BoundReference b) {
      return new NullTest(b.ordinal(), false);
    }
    if (e instanceof IsNaN n && n.child() instanceof BoundReference b
        && (b.dataType() instanceof DoubleType || b.dataType() instanceof FloatType)) {
      return new Comparison(b.ordinal(), b.dataType(), Comparison.NAN, 0);
    }
    if (e instanceof BinaryComparison c) {
      VectorCondition column = Comparison.of(c);
      return column != null ? column : LongComparison.of(c, values);
    }
    if (e instanceof IsNull n) {
      return LongNullTest.of(n.child(), true, values);
    }
    if (e instanceof IsNotNull n) {
      return LongNullTest.of(n.child(), false, values);
    }
    return null;
  }

  private static VectorCondition both(Expression left, Expression right, boolean or,
      VectorLong.Builder values) {
    VectorCondition l = of(left, values);
    VectorCondition r = l == null ? null : of(right, values);
    return r == null ? null : new Junction(l, r, or);
  }

  static int row(int[] rows, int j) {
    return rows == null ? j : rows[j];
  }

  /** {@code a OR b}, {@code a AND b}. */
  private static final class Junction extends VectorCondition {
    private static final long serialVersionUID = 1L;
    private final VectorCondition left;
    private final VectorCondition right;
    private final boolean or;
    private transient boolean[] other;

    Junction(VectorCondition left, VectorCondition right, boolean or) {
      this.left = left;
      this.right = right;
      this.or = or;
    }

    @Override
    boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result) {
      boolean l = left.mark(batch, rows, n, result);
      if (or && !l) {
        return right.mark(batch, rows, n, result);
      }
      if (!or && !l) {
        return false; // FALSE AND anything: result is already all false
      }
      if (other == null || other.length < n) {
        other = new boolean[Math.max(n, 4096)];
      }
      boolean r = right.mark(batch, rows, n, other);
      if (or) {
        if (r) {
          for (int j = 0; j < n; j++) {
            result[j] |= other[j];
          }
        }
        return true;
      }
      if (!r) {
        java.util.Arrays.fill(result, 0, n, false);
        return false;
      }
      for (int j = 0; j < n; j++) {
        result[j] &= other[j];
      }
      return any(result, n);
    }
  }

  /** {@code c IS NULL}, {@code c IS NOT NULL}. */
  private static final class NullTest extends VectorCondition {
    private static final long serialVersionUID = 1L;
    private final int ordinal;
    private final boolean isNull;

    NullTest(int ordinal, boolean isNull) {
      this.ordinal = ordinal;
      this.isNull = isNull;
    }

    @Override
    boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result) {
      ColumnVector c = batch.column(ordinal);
      if (!c.hasNull()) {
        java.util.Arrays.fill(result, 0, n, !isNull);
        return !isNull && n > 0;
      }
      for (int j = 0; j < n; j++) {
        result[j] = c.isNullAt(row(rows, j)) == isNull;
      }
      return any(result, n);
    }
  }

  /** {@code isnan(c)}, or {@code c < k} (and the other comparisons) for a number column c. */
  private static final class Comparison extends VectorCondition {
    private static final long serialVersionUID = 1L;
    static final int LT = 0;
    static final int LE = 1;
    static final int GT = 2;
    static final int GE = 3;
    static final int NAN = 4;
    private final int ordinal;
    private final DataType type;
    private final int op;
    /** The constant, of the column's type, widened (doubles and floats: as a double). */
    private final double real;
    private final long integral;

    Comparison(int ordinal, DataType type, int op, Number constant) {
      this.ordinal = ordinal;
      this.type = type;
      this.op = op;
      this.real = constant.doubleValue();
      this.integral = constant.longValue();
    }

    /** {@code column op constant} or {@code constant op column}, of one number type; else null. */
    static Comparison of(BinaryComparison c) {
      int op = c instanceof LessThan ? LT : c instanceof LessThanOrEqual ? LE
          : c instanceof GreaterThan ? GT : c instanceof GreaterThanOrEqual ? GE : -1;
      if (op < 0) {
        return null;
      }
      boolean flipped = c.left() instanceof Literal;
      Expression column = flipped ? c.right() : c.left();
      Expression constant = flipped ? c.left() : c.right();
      if (!(column instanceof BoundReference b) || !(constant instanceof Literal l)
          || l.value() == null || !l.dataType().equals(b.dataType()) || !number(b.dataType())) {
        return null;
      }
      // k < c is c > k.
      int mirrored = flipped ? new int[] {GT, GE, LT, LE}[op] : op;
      return new Comparison(b.ordinal(), b.dataType(), mirrored, (Number) l.value());
    }

    private static boolean number(DataType t) {
      return t instanceof DoubleType || t instanceof FloatType || t instanceof IntegerType
          || t instanceof LongType || t instanceof ShortType || t instanceof ByteType;
    }

    @Override
    boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result) {
      ColumnVector c = batch.column(ordinal);
      boolean any;
      if (type instanceof DoubleType && !Double.isNaN(real)) {
        any = rows == null ? markDoubles(c, n, result) : markDoubles(c, rows, n, result);
        if (!any) {
          return false; // nothing to clear on NULL rows
        }
      } else if (type instanceof DoubleType) {
        for (int j = 0; j < n; j++) {
          result[j] = holds(c.getDouble(row(rows, j)));
        }
      } else if (type instanceof FloatType) {
        for (int j = 0; j < n; j++) {
          result[j] = holds(c.getFloat(row(rows, j)));
        }
      } else {
        for (int j = 0; j < n; j++) {
          result[j] = holds(BatchColumn.integral(c, type, row(rows, j)));
        }
      }
      if (c.hasNull()) {
        // NULL compares to NULL (not TRUE); isnan(NULL) is false.
        for (int j = 0; j < n; j++) {
          result[j] &= !c.isNullAt(row(rows, j));
        }
      }
      return any(result, n);
    }

    /**
     * A DOUBLE column against a constant that is not NaN, a loop per operator: Java's operators
     * compare as Spark does (-0.0 equal to 0.0) except for NaN, which Spark puts above every
     * number, so a NaN value is greater. Returns whether any row holds.
     */
    private boolean markDoubles(ColumnVector c, int[] rows, int n, boolean[] result) {
      double k = real;
      switch (op) {
        case NAN -> {
          for (int j = 0; j < n; j++) {
            result[j] = Double.isNaN(c.getDouble(rows[j]));
          }
        }
        case LT -> {
          for (int j = 0; j < n; j++) {
            result[j] = c.getDouble(rows[j]) < k;
          }
        }
        case LE -> {
          for (int j = 0; j < n; j++) {
            result[j] = c.getDouble(rows[j]) <= k;
          }
        }
        case GT -> {
          for (int j = 0; j < n; j++) {
            double v = c.getDouble(rows[j]);
            result[j] = v > k || v != v;
          }
        }
        default -> {
          for (int j = 0; j < n; j++) {
            double v = c.getDouble(rows[j]);
            result[j] = v >= k || v != v;
          }
        }
      }
      return any(result, n);
    }

    /**
     * {@link #markDoubles(ColumnVector, int[], int, boolean[])} of rows 0..n-1, the common case,
     * counting the rows that hold in the same loop.
     */
    private boolean markDoubles(ColumnVector c, int n, boolean[] result) {
      double k = real;
      int held = 0;
      switch (op) {
        case NAN -> {
          for (int j = 0; j < n; j++) {
            double v = c.getDouble(j);
            boolean t = v != v;
            result[j] = t;
            held += t ? 1 : 0;
          }
        }
        case LT -> {
          for (int j = 0; j < n; j++) {
            boolean t = c.getDouble(j) < k;
            result[j] = t;
            held += t ? 1 : 0;
          }
        }
        case LE -> {
          for (int j = 0; j < n; j++) {
            boolean t = c.getDouble(j) <= k;
            result[j] = t;
            held += t ? 1 : 0;
          }
        }
        case GT -> {
          for (int j = 0; j < n; j++) {
            double v = c.getDouble(j);
            boolean t = v > k || v != v;
            result[j] = t;
            held += t ? 1 : 0;
          }
        }
        default -> {
          for (int j = 0; j < n; j++) {
            double v = c.getDouble(j);
            boolean t = v >= k || v != v;
            result[j] = t;
            held += t ? 1 : 0;
          }
        }
      }
      return held > 0;
    }

    private boolean holds(double v) {
      if (op == NAN) {
        return Double.isNaN(v);
      }
      return test(SQLOrderingUtil.compareDoubles(v, real));
    }

    private boolean holds(float v) {
      if (op == NAN) {
        return Float.isNaN(v);
      }
      return test(SQLOrderingUtil.compareFloats(v, (float) real));
    }

    private boolean holds(long v) {
      return test(Long.compare(v, integral));
    }

    private boolean test(int order) {
      return test(op, order);
    }

    /** Whether {@code order} (of a comparison: negative, 0, positive) satisfies {@code op}. */
    static boolean test(int op, int order) {
      return op == LT ? order < 0 : op == LE ? order <= 0 : op == GT ? order > 0 : order >= 0;
    }
  }

  /** {@code a < b} (and the other comparisons) of computed BIGINT or TIMESTAMP values. */
  private static final class LongComparison extends VectorCondition {
    private static final long serialVersionUID = 1L;
    private final VectorLong.Pass pass;
    private final VectorLong left;
    private final VectorLong right;
    private final int op;

    private LongComparison(VectorLong.Pass pass, VectorLong left, VectorLong right, int op) {
      this.pass = pass;
      this.left = left;
      this.right = right;
      this.op = op;
    }

    static VectorCondition of(BinaryComparison c, VectorLong.Builder values) {
      int op = c instanceof LessThan ? Comparison.LT : c instanceof LessThanOrEqual ? Comparison.LE
          : c instanceof GreaterThan ? Comparison.GT
          : c instanceof GreaterThanOrEqual ? Comparison.GE : -1;
      if (op < 0 || !c.left().dataType().equals(c.right().dataType())) {
        return null;
      }
      VectorLong l = values.of(c.left());
      VectorLong r = l == null ? null : values.of(c.right());
      return r == null ? null : new LongComparison(values.pass(), l, r, op);
    }

    @Override
    boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result) {
      pass.enter();
      try {
        left.compute(batch, rows, n);
        right.compute(batch, rows, n);
      } finally {
        pass.exit();
      }
      long[] a = left.values;
      boolean[] aNull = left.nulls;
      long[] b = right.values;
      boolean[] bNull = right.nulls;
      for (int j = 0; j < n; j++) {
        int order = Long.compare(a[j], b[j]);
        // NULL compares to NULL (not TRUE)
        result[j] = !aNull[j] && !bNull[j] && Comparison.test(op, order);
      }
      return any(result, n);
    }
  }

  /** {@code e IS NULL}, {@code e IS NOT NULL} of a computed BIGINT or TIMESTAMP value. */
  private static final class LongNullTest extends VectorCondition {
    private static final long serialVersionUID = 1L;
    private final VectorLong value;
    private final boolean isNull;

    private LongNullTest(VectorLong value, boolean isNull) {
      this.value = value;
      this.isNull = isNull;
    }

    static VectorCondition of(Expression e, boolean isNull, VectorLong.Builder values) {
      VectorLong v = values.of(e);
      return v == null ? null : new LongNullTest(v, isNull);
    }

    @Override
    boolean mark(ColumnarBatch batch, int[] rows, int n, boolean[] result) {
      value.compute(batch, rows, n);
      boolean[] vNull = value.nulls;
      for (int j = 0; j < n; j++) {
        result[j] = vNull[j] == isNull;
      }
      return any(result, n);
    }
  }
}
