package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.CreateNamedStruct;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * {@code named_struct(name, v1, name, v2, ...)} whose values are BIGINT or TIMESTAMP expressions
 * {@link VectorLong} computes: the struct Spark makes of {@code window(ts, ...)} (its start and
 * end), which a generated projection would otherwise build row by row. The values are one tree,
 * so a subexpression they share (the window's remainder) is computed once per batch. Where that
 * stops on ANSI overflow, Spark's generated projection computes the batch row by row, so that its
 * value or its error stands (as in {@link VectorLongColumn}).
 */
final class VectorStructColumn implements VectorColumn, Serializable {
  private static final long serialVersionUID = 1L;
  private final VectorLong.Pass pass;
  private final VectorLong[] fields;
  private final Expression expression;
  private transient MutableProjection rowByRow;

  private VectorStructColumn(VectorLong.Pass pass, VectorLong[] fields, Expression expression) {
    this.pass = pass;
    this.fields = fields;
    this.expression = expression;
  }

  /** {@code e} computed this way, or null if it is not such a struct. */
  static VectorStructColumn of(Expression e) {
    if (!(e instanceof CreateNamedStruct s)) {
      return null;
    }
    VectorLong.Builder builder = new VectorLong.Builder();
    VectorLong[] fields = new VectorLong[s.valExprs().size()];
    for (int f = 0; f < fields.length; f++) {
      fields[f] = builder.of(s.valExprs().apply(f));
      if (fields[f] == null) {
        return null;
      }
    }
    return new VectorStructColumn(builder.pass(), fields, e);
  }

  @Override
  public void write(ColumnarBatch in, int[] rows, int n, WritableColumnVector out) {
    // One pass for all fields: nodes they share are computed once.
    pass.enter();
    try {
      for (VectorLong f : fields) {
        f.compute(in, rows, n);
      }
    } catch (ArithmeticException overflow) {
      writeRowByRow(in, rows, n, out);
      return;
    } finally {
      pass.exit();
    }
    for (int f = 0; f < fields.length; f++) {
      WritableColumnVector child = out.getChild(f);
      int first = child.getElementsAppended();
      child.appendLongs(n, fields[f].values, 0);
      if (fields[f].hasNull) {
        boolean[] nulls = fields[f].nulls;
        for (int j = 0; j < n; j++) {
          if (nulls[j]) {
            child.putNull(first + j);
          }
        }
      }
    }
    appendNotNullStructs(out, n);
  }

  /**
   * A struct built by named_struct is never NULL (its fields may be): n of them at once
   * (appendNotNulls asserts that the vector is no struct, though appendStruct(false) is the same).
   */
  private static void appendNotNullStructs(WritableColumnVector out, int n) {
    int first = out.getElementsAppended();
    out.reserve(first + n);
    out.putNotNulls(first, n);
    out.addElementsAppended(n);
  }

  private void writeRowByRow(ColumnarBatch in, int[] rows, int n, WritableColumnVector out) {
    if (rowByRow == null) {
      rowByRow = MutableProjection.create(LossCall.seq(expression));
    }
    for (int j = 0; j < n; j++) {
      InternalRow r = rowByRow.apply(in.getRow(VectorCondition.row(rows, j))).getStruct(0,
          fields.length);
      for (int f = 0; f < fields.length; f++) {
        WritableColumnVector child = out.getChild(f);
        if (r.isNullAt(f)) {
          child.appendNull();
        } else {
          child.appendLong(r.getLong(f));
        }
      }
    }
    appendNotNullStructs(out, n);
  }
}
