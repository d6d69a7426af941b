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
import org.apache.spark.sql.catalyst.expressions.LessThan;
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
  /**
   * False if no row of the last batch computed is NULL: then all of {@link #nulls} is false (it
   * is kept so for readers of the array), and the loops over it are skipped.
   */
  transient boolean hasNull;

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
        hasNull = false;
      }
      eval(batch, rows, n);
      computedIn = pass.number;
    } finally {
      pass.exit();
    }
  }

  abstract void eval(ColumnarBatch batch, int[] rows, int n);

  /** This batch has no NULL row: {@link #nulls} all false again if the last one had. */
  final void noNulls() {
    if (hasNull) {
      java.util.Arrays.fill(nulls, false);
      hasNull = false;
    }
  }

  /** nulls[0..n-1] = from's, and {@link #hasNull} too. */
  final void copyNulls(VectorLong from, int n) {
    if (from.hasNull) {
      System.arraycopy(from.nulls, 0, nulls, 0, n);
      hasNull = true;
    } else {
      noNulls();
    }
  }

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
        VectorLong floorModulo = FloorModulo.of(c, this);
        return floorModulo != null ? floorModulo : Cases.of(c, this);
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
        hasNull = true;
      } else {
        noNulls();
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

    /** The length of the arrays last filled with the constant: filled again only when they grow. */
    private transient int filled;

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      if (filled != values.length) {
        java.util.Arrays.fill(values, value == null ? 0L : value);
        java.util.Arrays.fill(nulls, value == null);
        hasNull = value == null;
        filled = values.length;
      }
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
    /** {@code % constant} by multiplication, for a constant >= 2; else null. */
    private final ConstantRemainder remainder;

    private Arithmetic(Pass pass, VectorLong left, VectorLong right, long constant, int op,
        boolean ansi) {
      super(pass);
      this.left = left;
      this.right = right;
      this.constant = constant;
      this.op = op;
      this.ansi = ansi;
      this.remainder = right == null && op == REMAINDER && constant >= 2
          ? new ConstantRemainder(constant) : null;
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
        long c = (Long) k.value();
        if ((op == ADD || op == SUBTRACT) && c == 0L) {
          // x + 0, x - 0 (a window without offset): x itself, never an overflow
          return l;
        }
        return new Arithmetic(builder.pass(), l, null, c, op, ansi);
      }
      VectorLong r = builder.of(a.right());
      return r == null ? null : new Arithmetic(builder.pass(), l, r, 0L, op, ansi);
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      left.compute(batch, rows, n);
      long[] a = left.values;
      if (right == null) {
        copyNulls(left, n);
        withConstant(a, n);
        return;
      }
      right.compute(batch, rows, n);
      if (left.hasNull || right.hasNull) {
        boolean[] l = left.nulls;
        boolean[] r = right.nulls;
        for (int j = 0; j < n; j++) {
          nulls[j] = l[j] | r[j];
        }
        hasNull = true;
      } else {
        noNulls();
      }
      withColumn(a, right.values, n);
    }

    /**
     * {@code a op constant}. Loops of one operation each, without NULL tests (a NULL row's value
     * is undefined, and ANSI overflow there is no error), so that the JIT can vectorise them.
     */
    private void withConstant(long[] a, int n) {
      long k = constant;
      long[] v = values;
      switch (op) {
        case ADD -> {
          for (int j = 0; j < n; j++) {
            v[j] = a[j] + k;
          }
          if (ansi) {
            checkAdd(a, null, k, n);
          }
        }
        case SUBTRACT -> {
          for (int j = 0; j < n; j++) {
            v[j] = a[j] - k;
          }
          if (ansi) {
            checkSubtract(a, null, k, n);
          }
        }
        case MULTIPLY -> {
          if (ansi) {
            for (int j = 0; j < n; j++) {
              v[j] = nulls[j] ? 0L : Math.multiplyExact(a[j], k);
            }
          } else {
            for (int j = 0; j < n; j++) {
              v[j] = a[j] * k;
            }
          }
        }
        default -> {
          // a constant divisor is not 0 (Arithmetic.of); x % 1 and x % -1 are 0
          if (remainder != null) {
            remainder.of(a, v, n);
          } else {
            for (int j = 0; j < n; j++) {
              v[j] = a[j] % k;
            }
          }
        }
      }
    }

    /** {@code a op b}, NULL where either is (already in {@link #nulls}). */
    private void withColumn(long[] a, long[] b, int n) {
      long[] v = values;
      switch (op) {
        case ADD -> {
          for (int j = 0; j < n; j++) {
            v[j] = a[j] + b[j];
          }
          if (ansi) {
            checkAdd(a, b, 0L, n);
          }
        }
        case SUBTRACT -> {
          for (int j = 0; j < n; j++) {
            v[j] = a[j] - b[j];
          }
          if (ansi) {
            checkSubtract(a, b, 0L, n);
          }
        }
        case MULTIPLY -> {
          if (ansi) {
            for (int j = 0; j < n; j++) {
              v[j] = nulls[j] ? 0L : Math.multiplyExact(a[j], b[j]);
            }
          } else {
            for (int j = 0; j < n; j++) {
              v[j] = a[j] * b[j];
            }
          }
        }
        default -> {
          for (int j = 0; j < n; j++) {
            long y = b[j];
            if (y == 0) {
              if (ansi && !nulls[j]) {
                throw new ArithmeticException("remainder by zero");
              }
              nulls[j] = true;
              hasNull = true;
            } else {
              v[j] = a[j] % y;
            }
          }
        }
      }
    }

    /**
     * ANSI: {@link ArithmeticException} if {@code a + b} (b null: + k) overflowed on a non-NULL
     * row. Overflow iff the sum's sign differs from both operands'; the signs are or-ed over the
     * batch, so the test vectorises, and the rows are looked at only when it is set.
     */
    private void checkAdd(long[] a, long[] b, long k, int n) {
      long[] v = values;
      long overflow = 0;
      for (int j = 0; j < n; j++) {
        long y = b == null ? k : b[j];
        overflow |= (a[j] ^ v[j]) & (y ^ v[j]);
      }
      if (overflow < 0) {
        throwOnNonNullRow(a, b, k, n, true);
      }
    }

    /** As {@link #checkAdd}, for {@code a - b}: overflow iff a and b differ in sign and a and the result too. */
    private void checkSubtract(long[] a, long[] b, long k, int n) {
      long[] v = values;
      long overflow = 0;
      for (int j = 0; j < n; j++) {
        long y = b == null ? k : b[j];
        overflow |= (a[j] ^ y) & (a[j] ^ v[j]);
      }
      if (overflow < 0) {
        throwOnNonNullRow(a, b, k, n, false);
      }
    }

    private void throwOnNonNullRow(long[] a, long[] b, long k, int n, boolean add) {
      for (int j = 0; j < n; j++) {
        if (!nulls[j]) {
          long y = b == null ? k : b[j];
          long unused = add ? Math.addExact(a[j], y) : Math.subtractExact(a[j], y);
        }
      }
    }
  }

  /**
   * {@code CASE WHEN x % d < 0 THEN x % d + d ELSE x % d END} for a constant {@code d >= 2}: the
   * floor modulo of x, which Spark's {@code window()} subtracts from the time to get the window's
   * start ({@code TimeWindowing}). One pass instead of a remainder, a comparison, an addition and
   * a CASE WHEN; x % d + d neither overflows nor divides by zero, so ANSI changes nothing, and the
   * result is NULL exactly where x is (a NULL condition takes the ELSE branch, x % d, NULL).
   */
  private static final class FloorModulo extends VectorLong {
    private static final long serialVersionUID = 1L;
    private final VectorLong x;
    private final ConstantRemainder modulo;

    private FloorModulo(Pass pass, VectorLong x, ConstantRemainder modulo) {
      super(pass);
      this.x = x;
      this.modulo = modulo;
    }

    static VectorLong of(CaseWhen c, Builder builder) {
      if (c.branches().size() != 1 || !c.elseValue().isDefined()) {
        return null;
      }
      Tuple2<Expression, Expression> branch = c.branches().apply(0);
      Expression remainder = c.elseValue().get();
      if (!(remainder instanceof Remainder r) || !(r.dataType() instanceof LongType)
          || r.evalMode() == EvalMode.TRY() || !(r.right() instanceof Literal d)
          || !(d.value() instanceof Long divisor) || divisor < 2) {
        return null;
      }
      if (!(branch._1() instanceof LessThan test) || !test.left().semanticEquals(remainder)
          || !(test.right() instanceof Literal zero) || !(zero.value() instanceof Long z)
          || z != 0L) {
        return null;
      }
      if (!(branch._2() instanceof Add plus) || plus.evalMode() == EvalMode.TRY()
          || !plus.left().semanticEquals(remainder) || !(plus.right() instanceof Literal p)
          || !divisor.equals(p.value())) {
        return null;
      }
      VectorLong value = builder.of(r.left());
      return value == null ? null
          : new FloorModulo(builder.pass(), value, new ConstantRemainder(divisor));
    }

    @Override
    void eval(ColumnarBatch batch, int[] rows, int n) {
      x.compute(batch, rows, n);
      copyNulls(x, n);
      modulo.floorOf(x.values, values, n);
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
      copyNulls(children[0], n);
      for (int c = 1; c < children.length && hasNull; c++) {
        VectorLong next = children[c];
        next.compute(batch, rows, n);
        boolean any = false;
        for (int j = 0; j < n; j++) {
          if (nulls[j]) {
            values[j] = next.values[j];
            nulls[j] = next.nulls[j];
            any |= nulls[j];
          }
        }
        if (!any) {
          java.util.Arrays.fill(nulls, false);
          hasNull = false;
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
      copyNulls(branches[last], n);
      long[] out = values;
      for (int b = last - 1; b >= 0; b--) {
        // last branch first, so that an earlier TRUE branch overwrites a later one
        conditions[b].mark(batch, rows, n, holds);
        VectorLong v = branches[b];
        v.compute(batch, rows, n);
        long[] in = v.values;
        boolean[] h = holds;
        // a select per row without a branch: the JIT can vectorise it
        for (int j = 0; j < n; j++) {
          out[j] = h[j] ? in[j] : out[j];
        }
        if (v.hasNull || hasNull) {
          boolean[] inNull = v.nulls;
          for (int j = 0; j < n; j++) {
            nulls[j] = h[j] ? inNull[j] : nulls[j];
          }
          hasNull = true;
        }
      }
    }
  }
}
