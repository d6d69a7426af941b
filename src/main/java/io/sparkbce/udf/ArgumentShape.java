package io.sparkbce.udf;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NullType;
import org.apache.spark.sql.types.NumericType;
import scala.Option;

/**
 * What one argument of a loss function is, read off its SQL type: a number per row (rank 0), an
 * array nested {@code rank} deep, or an MLlib vector (rank 1), or the untyped NULL literal that
 * SPEC §3 uses to skip an optional argument.
 */
final class ArgumentShape {
  final int rank;
  final boolean vector;
  final boolean absent;
  /** An array of FLOAT, which the kernels read as it is rather than through a cast copy. */
  final boolean floats;

  private ArgumentShape(int rank, boolean vector, boolean absent, boolean floats) {
    this.rank = rank;
    this.vector = vector;
    this.absent = absent;
    this.floats = floats;
  }

  static ArgumentShape of(FunctionContext ctx, String role, Expression e, boolean booleanAllowed) {
    DataType t = e.dataType();
    if (t instanceof NullType) {
      return new ArgumentShape(0, false, true, false);
    }
    if (t instanceof VectorUDT) {
      return new ArgumentShape(1, true, false, false);
    }
    int rank = 0;
    DataType leaf = t;
    while (leaf instanceof ArrayType) {
      leaf = ((ArrayType) leaf).elementType();
      rank++;
    }
    boolean number = leaf instanceof NumericType || (booleanAllowed && leaf instanceof BooleanType);
    if (!number) {
      throw ctx.analysisError(
          "argument `" + role + "` (" + FunctionContext.shown(e) + ") has type " + t.sql() + "; expected "
              + (booleanAllowed ? "a number or BOOLEAN" : "a number")
              + ", an ARRAY of them (nested for (N, *, C) shapes) or an MLlib VECTOR");
    }
    return new ArgumentShape(rank, false, false, rank > 0 && leaf instanceof FloatType);
  }

  /** What the kernels read: arrays of FLOAT as they are, anything else as {@link #toDoubles}. */
  Expression toKernelForm(Expression e) {
    return floats ? e : toDoubles(e);
  }

  /** The canonical form the kernels read: DOUBLE, or ARRAY<DOUBLE> nested {@code rank} deep. */
  Expression toDoubles(Expression e) {
    if (vector) {
      return VectorValues.toArray(e);
    }
    DataType target = doubles(rank);
    return e.dataType().equals(target) ? e : new Cast(e, target, Option.empty());
  }

  static DataType doubles(int rank) {
    DataType t = DataTypes.DoubleType;
    for (int i = 0; i < rank; i++) {
      t = DataTypes.createArrayType(t, true);
    }
    return t;
  }
}
