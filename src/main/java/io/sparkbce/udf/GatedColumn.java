package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.If;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Tuple2;
import scala.collection.immutable.Seq;

/**
 * A number column that counts only where another column is NULL: {@code CASE WHEN g IS NULL THEN
 * x END} (or {@code IF(g IS NULL, x, NULL)}), the form of the jobs' valid-only logits and labels
 * ({@code g} being the row's invalid reason). Read from both vectors directly instead of being
 * computed row by row into a column of its own.
 */
final class GatedColumn extends BatchArgument {
  private static final long serialVersionUID = 1L;
  private final int gate;
  private final BatchColumn value;

  private GatedColumn(int gate, BatchColumn value) {
    this.gate = gate;
    this.value = value;
  }

  /** {@code e} read this way, or null if it does not have the form (or holds arrays). */
  static GatedColumn of(Expression e, Seq<Attribute> input) {
    Expression condition;
    Expression then;
    if (e instanceof CaseWhen c && c.branches().size() == 1 && isNull(c.elseValue())) {
      Tuple2<Expression, Expression> branch = c.branches().apply(0);
      condition = branch._1();
      then = branch._2();
    } else if (e instanceof If i && isNull(scala.Option.apply(i.falseValue()))) {
      condition = i.predicate();
      then = i.trueValue();
    } else {
      return null;
    }
    if (!(condition instanceof IsNull n) || !(n.child() instanceof Attribute g)
        || then.dataType() instanceof ArrayType) {
      return null;
    }
    BatchArgument gateColumn = BatchArgument.of(g, input);
    BatchArgument valueColumn = BatchArgument.of(then, input);
    if (!(gateColumn instanceof BatchColumn gc) || !(valueColumn instanceof BatchColumn vc)) {
      return null;
    }
    return new GatedColumn(gc.ordinal(), vc);
  }

  /** No ELSE, or ELSE NULL. */
  private static boolean isNull(scala.Option<Expression> elseValue) {
    return elseValue.isEmpty()
        || (elseValue.get() instanceof Literal l && l.value() == null);
  }

  @Override
  boolean readDoubles(ColumnarBatch batch, int from, int n, double[] column, boolean[] nulls) {
    boolean any = value.readDoubles(batch, from, n, column, nulls);
    ColumnVector g = batch.column(gate);
    if (!g.hasNull()) {
      // No row passes the gate (the reason column of a batch of invalid rows).
      java.util.Arrays.fill(nulls, 0, n, true);
      return true;
    }
    if (allNull(g, batch.numRows())) {
      // Every row passes (the reason column of a batch of valid rows): no row to test.
      return any;
    }
    for (int i = 0; i < n; i++) {
      if (!g.isNullAt(from + i)) {
        nulls[i] = true;
        any = true;
      }
    }
    return any;
  }

  /**
   * Whether {@code g} is NULL on all its {@code rows} rows, told from its count of NULLs where that
   * count is exact: a vector filled by appends only (the pipeline's computed columns, such as the
   * invalid reason) counts each NULL once, while a reader's {@code putNull} on a row twice would
   * count it twice.
   */
  private static boolean allNull(ColumnVector g, int rows) {
    return g instanceof WritableColumnVector w && w.getElementsAppended() == rows
        && w.numNulls() == rows;
  }

  @Override
  Object value(ColumnarBatch batch, int i) {
    return batch.column(gate).isNullAt(i) ? value.value(batch, i) : null;
  }
}
