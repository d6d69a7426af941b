package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractPartialFunction;

/**
 * One argument of an aggregate call, read from a columnar batch: a column as it is (or widened to
 * DOUBLE, which is what the call's cast would do), a constant, a column gated by another
 * ({@link GatedColumn}), or, for anything else, the
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
      return new ConstantArgument(e.eval(null));
    }
    if (e.references().isEmpty() && e.deterministic()) {
      return new TaskConstantArgument(e);
    }
    Expression source = e instanceof Cast && e.dataType() instanceof DoubleType
        && widensExactly(((Cast) e).child().dataType()) ? ((Cast) e).child() : e;
    if (source instanceof Attribute) {
      int ordinal = ordinalOf((Attribute) source, input);
      if (ordinal >= 0) {
        return new BatchColumn(ordinal, source.dataType());
      }
    }
    GatedColumn gated = GatedColumn.of(source, input);
    if (gated != null) {
      return gated;
    }
    return new EvaluatedArgument(bound(e, input));
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

}
