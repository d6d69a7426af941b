package io.sparkbce.udf;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
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
 * otherwise compute row by row. A subexpression that occurs several times (the window's remainder
 * occurs three times) is one node, computed once per batch. Values are Spark's: non-ANSI
 * arithmetic wraps as Java's does, x % 0 is NULL. Where ANSI arithmetic overflows or divides by
 * zero (every branch of a CASE WHEN is computed here, also on rows that do not take it),
 * {@link ArithmeticException} is thrown and the caller ({@link VectorLongColumn}) lets Spark
 * compute the batch instead, so that Spark's own result or error stands.
 */
abstract class VectorLong implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The tree's batch counter, shared by its nodes. */
  private final Pass pass;
  private transient long computedIn = -1;
  /** Row j's value and whether it is NULL (a NULL row's value is undefined), after compute. */
  transient long[] values;
  transient boolean[] nulls;

  VectorLong(Pass pass) {
    this.pass = pass;
  }

  /**
   * Computes rows rows[0..n-1] of {@code batch} (rows 0..n-1 if rows is null) into
   * {@link #values} and {@link #nulls}, once per batch of its tree ({@link Pass#enter}).
   */
  final void compute(ColumnarBatch batch, int[] rows, int n) {
    pass.enter();
    try {
      if (computedIn == pass.number) {
        return;
      }
      if (values == null || values.length < n) {
        values = new long[Math.max(n, 4096)];
        nulls = new boolean[values.length];
      }
      eval(batch, rows, n);
      computedIn = pass.number;
    } finally {
      pass.exit();
    }
  }

  abstract void eval(ColumnarBatch batch, int[] rows, int n);

  /** {@code e} (bound to the batch's columns) this way, or null if it has another form. */
  static VectorLong of(Expression e) {
    return new Builder().of(e);
  }

  /**
   * Counts the batches a tree computes: the outermost {@link #compute} (or a condition's mark)
   * starts a new one, so that nested ones reuse the nodes computed for it.
   */
  static final class Pass implements Serializable {
    private static final long serialVersionUID = 1L;
    private transient int depth;
    private transient long number;

    void enter() {
      if (depth++ == 0) {
        number++;
      }
    }

    void exit() {
      depth--;
    }
  }

  /** Builds one tree: one {@link Pass}, one node per distinct subexpression. */
  static final class Builder {
    private final Pass pass = new Pass();
    private final Map<Expression, VectorLong> nodes = new HashMap<>();

    Pass pass() {
      return pass;
    }

    VectorLong of(Expression e) {
      if (!integral(e.dataType())) {
        return null;
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
      Expression key = e.canonicalized();
      VectorLong known = nodes.get(key);
      if (known == null) {
        known = build(e);
        if (known != null) {
          nodes.put(key, known);
        }
      }
      return known;
    }

    private VectorLong build(Expression e) {
      if (e instanceof BoundReference b) {
        return new Column(pass, b.ordinal());
      }
      if (e instanceof Literal l) {
        return new Constant(pass, (Long) l.value());
      }
      if (e instanceof BinaryArithmetic a) {
        return Arithmetic.of(a, this);
      }
      if (e instanceof Coalesce c) {
        VectorLong[] children = new VectorLong[c.children().size()];
        for (int i = 0; i < children.length; i++) {
          children[i] = of(c.children().apply(i));
          if (children[i] == null) {
            return null;
          }
        }
        return new First(pass, children);
      }
      if (e instanceof CaseWhen c) {
        return Cases.of(c, this);
      }
      return null;
    }
  }

  private static boolean integral(DataType t) {
    return t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType;
  }

  /** A BIGINT or TIMESTAMP column. */
  private static final class Column extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final int ordinal;

    Column(Pass pass, int ordinal) {
      super(pass);
      this.ordinal = ordinal;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      ColumnVector c = batch.column(ordinal);
      if (rows == null) {
        for (int j = 0; j < n; j++) {
          values[j] = c.getLong(j);
        }
      } else {
        for (int j = 0; j < n; j++) {
          values[j] = c.getLong(rows[j]);
        }
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

    Constant(Pass pass, Long value) {
      super(pass);
      this.value = value;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
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
    /** The right operand, or null when it is the constant {@link #constant}. */
    private final VectorLong right;
    private final long constant;
    private final int op;
    private final boolean ansi;

    private Arithmetic(Pass pass, VectorLong left, VectorLong right, long constant, int op,
        boolean ansi) {
      super(pass);
      this.left = left;
      this.right = right;
      this.constant = constant;
      this.op = op;
      this.ansi = ansi;
    }

    static VectorLong of(BinaryArithmetic a, Builder builder) {
      int op = a instanceof Add ? ADD : a instanceof Subtract ? SUBTRACT
          : a instanceof Multiply ? MULTIPLY : a instanceof Remainder ? REMAINDER : -1;
      // TRY arithmetic (NULL on overflow) is left to Spark
      if (op < 0 || !(a.dataType() instanceof LongType) || a.evalMode() == EvalMode.TRY()) {
        return null;
      }
      boolean ansi = a.evalMode() == EvalMode.ANSI();
      VectorLong l = builder.of(a.left());
      if (l == null) {
        return null;
      }
      if (a.right() instanceof Literal k && k.value() != null && (op != REMAINDER
          || (Long) k.value() != 0L)) {
        return new Arithmetic(builder.pass(), l, null, (Long) k.value(), op, ansi);
      }
      VectorLong r = builder.of(a.right());
      return r == null ? null : new Arithmetic(builder.pass(), l, r, 0L, op, ansi);
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      left.compute(batch, rows, n);
      long[] a = left.values;
      long[] b = null;
      if (right == null) {
        System.arraycopy(left.nulls, 0, nulls, 0, n);
      } else {
        right.compute(batch, rows, n);
        b = right.values;
        for (int j = 0; j < n; j++) {
          nulls[j] = left.nulls[j] | right.nulls[j];
        }
      }
      long k = constant;
      switch (op) {
        case ADD -> {
          for (int j = 0; j < n; j++) {
            long y = b == null ? k : b[j];
            values[j] = ansi && !nulls[j] ? Math.addExact(a[j], y) : a[j] + y;
          }
        }
        case SUBTRACT -> {
          for (int j = 0; j < n; j++) {
            long y = b == null ? k : b[j];
            values[j] = ansi && !nulls[j] ? Math.subtractExact(a[j], y) : a[j] - y;
          }
        }
        case MULTIPLY -> {
          for (int j = 0; j < n; j++) {
            long y = b == null ? k : b[j];
            values[j] = ansi && !nulls[j] ? Math.multiplyExact(a[j], y) : a[j] * y;
          }
        }
        default -> {
          for (int j = 0; j < n; j++) {
            long y = b == null ? k : b[j];
            if (y == 0) {
              if (ansi && !nulls[j]) {
                throw new ArithmeticException("remainder by zero");
              }
              nulls[j] = true;
            } else {
              values[j] = a[j] % y;
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

    First(Pass pass, VectorLong[] children) {
      super(pass);
      this.children = children;
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      children[0].compute(batch, rows, n);
      System.arraycopy(children[0].values, 0, values, 0, n);
      System.arraycopy(children[0].nulls, 0, nulls, 0, n);
      for (int c = 1; c < children.length; c++) {
        VectorLong next = children[c];
        next.compute(batch, rows, n);
        for (int j = 0; j < n; j++) {
          if (nulls[j]) {
            values[j] = next.values[j];
            nulls[j] = next.nulls[j];
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

    private Cases(Pass pass, VectorCondition[] conditions, VectorLong[] branches) {
      super(pass);
      this.conditions = conditions;
      this.branches = branches;
    }

    static VectorLong of(CaseWhen c, Builder builder) {
      int n = c.branches().size();
      VectorCondition[] conditions = new VectorCondition[n];
      VectorLong[] branches = new VectorLong[n + 1];
      for (int b = 0; b < n; b++) {
        Tuple2<Expression, Expression> branch = c.branches().apply(b);
        conditions[b] = VectorCondition.of(branch._1(), builder);
        branches[b] = conditions[b] == null ? null : builder.of(branch._2());
        if (branches[b] == null) {
          return null;
        }
      }
      Option<Expression> otherwise = c.elseValue();
      branches[n] = otherwise.isDefined() ? builder.of(otherwise.get())
          : new Constant(builder.pass(), null);
      return branches[n] == null ? null : new Cases(builder.pass(), conditions, branches);
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      if (holds == null || holds.length < n) {
        holds = new boolean[Math.max(n, 4096)];
      }
      int last = conditions.length;
      branches[last].compute(batch, rows, n);
      System.arraycopy(branches[last].values, 0, values, 0, n);
      System.arraycopy(branches[last].nulls, 0, nulls, 0, n);
      for (int b = last - 1; b >= 0; b--) {
        // last branch first, so that an earlier TRUE branch overwrites a later one
        conditions[b].mark(batch, rows, n, holds);
        VectorLong v = branches[b];
        v.compute(batch, rows, n);
        for (int j = 0; j < n; j++) {
          if (holds[j]) {
            values[j] = v.values[j];
            nulls[j] = v.nulls[j];
          }
        }
      }
    }
  }
}
