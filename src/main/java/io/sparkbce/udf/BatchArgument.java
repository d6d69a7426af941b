package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractPartialFunction;

/**
 * One argument of an aggregate call, read from a columnar batch: a column as it is (or widened to
 * DOUBLE, which is what the call's cast would do), a constant, or, for anything else, the
 * expression evaluated row by row.
 */
abstract class BatchArgument implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Reads rows from..from+n-1 into {@code column[0..n-1]}; a NULL sets {@code nulls[i]} and leaves
   * the value.
   * Returns whether there was a NULL.
   */
  abstract boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls);

  /** The value of row {@code i} in Catalyst's form (an ArrayData for arrays), or null. */
  abstract Object value(ColumnarBatch batch, int i);

  /** The column's vector when this is a column of arrays written by Spark's readers, else null. */
  WritableColumnVector arrays(ColumnarBatch batch) {
    return null;
  }

  /** The value when this is a constant array of one non-NULL element (a row weight), else NaN. */
  double singleValue() {
    return Double.NaN;
  }

  /** The elements when this is a constant array without NULLs, else null. */
  double[] constantDoubles() {
    return null;
  }

  /** How {@code e}, an argument over {@code input}, is read. */
  static BatchArgument of(Expression e, Seq<Attribute> input) {
    if (e.foldable()) {
      return new Constant(e.eval(null));
    }
    if (e.references().isEmpty() && e.deterministic()) {
      return new TaskConstant(e);
    }
    Expression source = e instanceof Cast && e.dataType() instanceof DoubleType
        && widensExactly(((Cast) e).child().dataType()) ? ((Cast) e).child() : e;
    if (source instanceof Attribute) {
      int ordinal = ordinalOf((Attribute) source, input);
      if (ordinal >= 0) {
        return new BatchColumn(ordinal, source.dataType());
      }
    }
    return new Evaluated(bound(e, input));
  }

  /** {@code e} with its attributes replaced by their ordinals in {@code input}. */
  static Expression bound(Expression e, Seq<Attribute> input) {
    return e.transform(new AbstractPartialFunction<Expression, Expression>() {
      @Override
      public boolean isDefinedAt(Expression x) {
        return x instanceof Attribute && ordinalOf((Attribute) x, input) >= 0;
      }

      @Override
      public Expression apply(Expression x) {
        return new BoundReference(ordinalOf((Attribute) x, input), x.dataType(), x.nullable());
      }
    });
  }

  /** Types whose cast to DOUBLE is Java's widening conversion (BOOLEAN: 1 or 0). */
  private static boolean widensExactly(DataType t) {
    return t instanceof FloatType || t instanceof IntegerType || t instanceof LongType
        || t instanceof ShortType || t instanceof ByteType || t instanceof BooleanType;
  }

  private static int ordinalOf(Attribute a, Seq<Attribute> input) {
    for (int i = 0; i < input.size(); i++) {
      if (input.apply(i).exprId().equals(a.exprId())) {
        return i;
      }
    }
    return -1;
  }

  /** A column of the batch, read directly from its vector. */
  static final class BatchColumn extends BatchArgument {
    private static final long serialVersionUID = 1L;
    private final int ordinal;
    private final DataType type;

    BatchColumn(int ordinal, DataType type) {
      this.ordinal = ordinal;
      this.type = type;
    }

    @Override
    boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
      ColumnVector c = batch.column(ordinal);
      if (type instanceof DoubleType) {
        for (int i = 0; i < n; i++) {
          column[i] = c.getDouble(from + i);
        }
      } else if (type instanceof FloatType) {
        for (int i = 0; i < n; i++) {
          column[i] = c.getFloat(from + i);
        }
      } else {
        for (int i = 0; i < n; i++) {
          column[i] = c.isNullAt(from + i) ? 0.0 : widened(c, from + i);
        }
      }
      if (!c.hasNull()) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        nulls[i] |= c.isNullAt(from + i);
      }
      return true;
    }

    private double widened(ColumnVector c, int i) {
      if (type instanceof IntegerType) {
        return c.getInt(i);
      } else if (type instanceof LongType) {
        return c.getLong(i);
      } else if (type instanceof ShortType) {
        return c.getShort(i);
      } else if (type instanceof ByteType) {
        return c.getByte(i);
      }
      return c.getBoolean(i) ? 1.0 : 0.0;
    }

    @Override
    Object value(ColumnarBatch batch, int i) {
      ColumnVector c = batch.column(ordinal);
      if (c.isNullAt(i)) {
        return null;
      }
      if (type instanceof ArrayType) {
        return c.getArray(i);
      }
      return type instanceof DoubleType ? c.getDouble(i)
          : type instanceof FloatType ? (double) c.getFloat(i) : widened(c, i);
    }

    @Override
    WritableColumnVector arrays(ColumnarBatch batch) {
      ColumnVector c = batch.column(ordinal);
      if (!(type instanceof ArrayType) || !(c instanceof WritableColumnVector)) {
        return null;
      }
      DataType element = ((ArrayType) type).elementType();
      return element instanceof FloatType || element instanceof DoubleType
          ? (WritableColumnVector) c : null;
    }
  }

  /** A value that does not depend on the row (optional arguments, literal pos_weight). */
  static final class Constant extends BatchArgument {
    private static final long serialVersionUID = 1L;
    private final Object constant;

    Constant(Object constant) {
      this.constant = constant;
    }

    @Override
    boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
      if (constant == null) {
        java.util.Arrays.fill(nulls, 0, n, true);
        return true;
      }
      java.util.Arrays.fill(column, 0, n, (Double) constant);
      return false;
    }

    @Override
    Object value(ColumnarBatch batch, int i) {
      return constant;
    }

    @Override
    double singleValue() {
      double[] d = constantDoubles();
      return d != null && d.length == 1 ? d[0] : Double.NaN;
    }

    @Override
    double[] constantDoubles() {
      if (!(constant instanceof ArrayData)) {
        return null;
      }
      ArrayData a = (ArrayData) constant;
      for (int i = 0; i < a.numElements(); i++) {
        if (a.isNullAt(i)) {
          return null;
        }
      }
      return a.toDoubleArray();
    }
  }

  /**
   * A value that does not depend on the row but is not a literal either, like a broadcast
   * pos_weight ({@link BroadcastPosWeight}): evaluated once per task, where it is read.
   */
  static final class TaskConstant extends BatchArgument {
    private static final long serialVersionUID = 1L;
    private final Expression expression;
    private transient Constant value;

    TaskConstant(Expression expression) {
      this.expression = expression;
    }

    private Constant value() {
      if (value == null) {
        value = new Constant(expression.eval(null));
      }
      return value;
    }

    @Override
    boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
      return value().readDoubles(batch, from, n, column, nulls);
    }

    @Override
    Object value(ColumnarBatch batch, int i) {
      return value().value(batch, i);
    }

    @Override
    double singleValue() {
      return value().singleValue();
    }

    @Override
    double[] constantDoubles() {
      return value().constantDoubles();
    }
  }

  /** Any other expression, evaluated on each row of the batch. */
  static final class Evaluated extends BatchArgument {
    private static final long serialVersionUID = 1L;
    private final Expression bound;

    Evaluated(Expression bound) {
      this.bound = bound;
    }

    @Override
    boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
      boolean any = false;
      for (int i = 0; i < n; i++) {
        Object v = value(batch, from + i);
        if (v == null) {
          nulls[i] = true;
          any = true;
        } else {
          column[i] = (Double) v;
        }
      }
      return any;
    }

    @Override
    Object value(ColumnarBatch batch, int i) {
      InternalRow row = batch.getRow(i);
      return bound.eval(row);
    }
  }
}
