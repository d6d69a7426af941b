package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.BinaryArithmetic;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Coalesce;
import org.apache.spark.sql.catalyst.expressions.EvalMode;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.KnownNotNull;
import org.apache.spark.sql.catalyst.expressions.KnownNullable;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.PreciseTimestampConversion;
import org.apache.spark.sql.catalyst.expressions.Remainder;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Option;
import scala.Tuple2;

/**
 * A BIGINT or TIMESTAMP expression (microseconds) evaluated over a batch's column vectors a node
 * at a time: columns, constants, {@code + - * %}, CASE WHEN, COALESCE and the conversions between
 * TIMESTAMP and BIGINT. That is the form Spark gives {@code window(ts, ...).start} (integer
 * arithmetic on the microseconds, {@code TimeWindowing}), which a generated projection would
 * otherwise compute row by row. Values are Spark's: non-ANSI arithmetic wraps as Java's does, x % 0
 * is NULL. Where ANSI arithmetic overflows or divides by zero (every branch of a CASE WHEN is
 * computed here, also on rows that do not take it), {@link ArithmeticException} is thrown and the
 * caller ({@link VectorLongColumn}) lets Spark compute the batch instead, so that Spark's own
 * result or error stands.
 */
abstract class VectorLong implements Serializable {
  private static final long serialVersionUID = 1L;
  private transient long[] values;
  private transient boolean[] nulls;

  /**
   * Computes rows rows[0..n-1] of {@code batch} (rows 0..n-1 if rows is null) into
   * {@code values[j]}, {@code nulls[j]} (a NULL row's value is undefined).
   */
  abstract void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls);

  /** {@code e} (bound to the batch's columns) this way, or null if it has another form. */
  static VectorLong of(Expression e) {
    if (!integral(e.dataType())) {
      return null;
    }
    if (e instanceof BoundReference b) {
      return new Column(b.ordinal());
    }
    if (e instanceof Literal l) {
      return new Constant((Long) l.value());
    }
    if (e instanceof KnownNullable k) {
      return of(k.child());
    }
    if (e instanceof KnownNotNull k) {
      return of(k.child());
    }
    if (e instanceof PreciseTimestampConversion p) {
      return of(p.child());
    }
    if (e instanceof BinaryArithmetic a) {
      return Arithmetic.of(a);
    }
    if (e instanceof Coalesce c) {
      VectorLong[] children = children(c.children());
      return children == null ? null : new First(children);
    }
    if (e instanceof CaseWhen c) {
      return Cases.of(c);
    }
    return null;
  }

  private static boolean integral(DataType t) {
    return t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType;
  }

  private static VectorLong[] children(scala.collection.immutable.Seq<Expression> es) {
    VectorLong[] r = new VectorLong[es.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = of(es.apply(i));
      if (r[i] == null) {
        return null;
      }
    }
    return r;
  }

  /** This node's scratch values, at least n long (a node's own, so children do not share). */
  final long[] values(int n) {
    if (values == null || values.length < n) {
      values = new long[Math.max(n, 4096)];
      nulls = new boolean[values.length];
    }
    return values;
  }

  final boolean[] nulls() {
    return nulls;
  }

  /** A BIGINT or TIMESTAMP column. */
  private static final class Column extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final int ordinal;

    Column(int ordinal) {
      this.ordinal = ordinal;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls) {
      ColumnVector c = batch.column(ordinal);
      for (int j = 0; j < n; j++) {
        values[j] = c.getLong(VectorCondition.row(rows, j));
      }
      if (c.hasNull()) {
        for (int j = 0; j < n; j++) {
          nulls[j] = c.isNullAt(VectorCondition.row(rows, j));
        }
      } else {
        java.util.Arrays.fill(nulls, 0, n, false);
      }
    }
  }

  /** A constant, or NULL. */
  private static final class Constant extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final Long value;

    Constant(Long value) {
      this.value = value;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls) {
      java.util.Arrays.fill(values, 0, n, value == null ? 0L : value);
      java.util.Arrays.fill(nulls, 0, n, value == null);
    }
  }

  /** {@code a + b}, {@code a - b}, {@code a * b}, {@code a % b} on BIGINT, NULL if either is. */
  private static final class Arithmetic extends VectorLong {
    private static final long serialVersionUID = 1L;
    private static final int ADD = 0;
    private static final int SUBTRACT = 1;
    private static final int MULTIPLY = 2;
    private static final int REMAINDER = 3;
    private final VectorLong left;
    private final VectorLong right;
    private final int op;
    private final boolean ansi;

    private Arithmetic(VectorLong left, VectorLong right, int op, boolean ansi) {
      this.left = left;
      this.right = right;
      this.op = op;
      this.ansi = ansi;
    }

    static VectorLong of(BinaryArithmetic a) {
      int op = a instanceof Add ? ADD : a instanceof Subtract ? SUBTRACT
          : a instanceof Multiply ? MULTIPLY : a instanceof Remainder ? REMAINDER : -1;
      // TRY arithmetic (NULL on overflow) is left to Spark
      if (op < 0 || !(a.dataType() instanceof LongType) || a.evalMode() == EvalMode.TRY()) {
        return null;
      }
      VectorLong l = VectorLong.of(a.left());
      VectorLong r = l == null ? null : VectorLong.of(a.right());
      return r == null ? null : new Arithmetic(l, r, op, a.evalMode() == EvalMode.ANSI());
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls) {
      left.eval(batch, rows, n, values, nulls);
      long[] b = right.values(n);
      boolean[] bNull = right.nulls();
      right.eval(batch, rows, n, b, bNull);
      for (int j = 0; j < n; j++) {
        nulls[j] |= bNull[j];
      }
      switch (op) {
        case ADD -> {
          for (int j = 0; j < n; j++) {
            values[j] = ansi && !nulls[j] ? Math.addExact(values[j], b[j]) : values[j] + b[j];
          }
        }
        case SUBTRACT -> {
          for (int j = 0; j < n; j++) {
            values[j] = ansi && !nulls[j] ? Math.subtractExact(values[j], b[j])
                : values[j] - b[j];
          }
        }
        case MULTIPLY -> {
          for (int j = 0; j < n; j++) {
            values[j] = ansi && !nulls[j] ? Math.multiplyExact(values[j], b[j])
                : values[j] * b[j];
          }
        }
        default -> {
          for (int j = 0; j < n; j++) {
            if (b[j] == 0) {
              if (ansi && !nulls[j]) {
                throw new ArithmeticException("remainder by zero");
              }
              nulls[j] = true;
            } else {
              values[j] = values[j] % b[j];
            }
          }
        }
      }
    }
  }

  /** COALESCE: each row's first non-NULL value. */
  private static final class First extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final VectorLong[] children;

    First(VectorLong[] children) {
      this.children = children;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls) {
      children[0].eval(batch, rows, n, values, nulls);
      for (int c = 1; c < children.length; c++) {
        long[] v = children[c].values(n);
        boolean[] vNull = children[c].nulls();
        children[c].eval(batch, rows, n, v, vNull);
        for (int j = 0; j < n; j++) {
          if (nulls[j]) {
            values[j] = v[j];
            nulls[j] = vNull[j];
          }
        }
      }
    }
  }

  /** CASE WHEN c1 THEN v1 ... [ELSE v] END: each row its first TRUE branch's value. */
  private static final class Cases extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final VectorCondition[] conditions;
    /** The branches' values; the last one is the ELSE value (a NULL constant without ELSE). */
    private final VectorLong[] branches;
    private transient boolean[] holds;

    private Cases(VectorCondition[] conditions, VectorLong[] branches) {
      this.conditions = conditions;
      this.branches = branches;
    }

    static VectorLong of(CaseWhen c) {
      int n = c.branches().size();
      VectorCondition[] conditions = new VectorCondition[n];
      VectorLong[] branches = new VectorLong[n + 1];
      for (int b = 0; b < n; b++) {
        Tuple2<Expression, Expression> branch = c.branches().apply(b);
        conditions[b] = VectorCondition.of(branch._1());
        branches[b] = conditions[b] == null ? null : VectorLong.of(branch._2());
        if (branches[b] == null) {
          return null;
        }
      }
      Option<Expression> otherwise = c.elseValue();
      branches[n] = otherwise.isDefined() ? VectorLong.of(otherwise.get()) : new Constant(null);
      return branches[n] == null ? null : new Cases(conditions, branches);
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n, long[] values, boolean[] nulls) {
      if (holds == null || holds.length < n) {
        holds = new boolean[Math.max(n, 4096)];
      }
      int last = conditions.length;
      branches[last].eval(batch, rows, n, values, nulls);
      for (int b = last - 1; b >= 0; b--) {
        // last branch first, so that an earlier TRUE branch overwrites a later one
        conditions[b].mark(batch, rows, n, holds);
        long[] v = branches[b].values(n);
        boolean[] vNull = branches[b].nulls();
        branches[b].eval(batch, rows, n, v, vNull);
        for (int j = 0; j < n; j++) {
          if (holds[j]) {
            values[j] = v[j];
            nulls[j] = vNull[j];
          }
        }
      }
    }
  }
}
