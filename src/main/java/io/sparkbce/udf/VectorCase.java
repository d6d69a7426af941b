package io.sparkbce.udf;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Option;
import scala.Tuple2;

/**
 * {@code CASE WHEN c1 THEN 'a' WHEN c2 THEN 'b' ... [ELSE 'z'] END} with constant strings and
 * conditions a {@link VectorCondition} evaluates, computed a condition at a time over the column
 * vectors instead of row by row through a generated projection: the shape of the jobs' invalid
 * reason, NULL for most rows. A row takes its first TRUE branch, as CASE WHEN does.
 */
final class VectorCase implements VectorColumn, Serializable {
  private static final long serialVersionUID = 1L;
  private final VectorCondition[] conditions;
  /** Each branch's value as UTF-8 bytes, null for NULL; the last one is the ELSE value. */
  private final byte[][] values;
  private transient boolean[] holds;
  private transient int[] branch;

  private VectorCase(VectorCondition[] conditions, byte[][] values) {
    this.conditions = conditions;
    this.values = values;
  }

  /** {@code e} (bound to the batch's columns) computed this way, or null if it has another form. */
  static VectorCase of(Expression e) {
    if (!(e instanceof CaseWhen c) || !c.dataType().equals(DataTypes.StringType)) {
      return null;
    }
    int n = c.branches().size();
    VectorCondition[] conditions = new VectorCondition[n];
    byte[][] values = new byte[n + 1][];
    for (int b = 0; b < n; b++) {
      Tuple2<Expression, Expression> branch = c.branches().apply(b);
      conditions[b] = VectorCondition.of(branch._1());
      if (conditions[b] == null || !(branch._2() instanceof Literal)) {
        return null;
      }
      values[b] = utf8(branch._2());
    }
    Option<Expression> otherwise = c.elseValue();
    if (otherwise.isDefined()) {
      if (!(otherwise.get() instanceof Literal)) {
        return null;
      }
      values[n] = utf8(otherwise.get());
    }
    return new VectorCase(conditions, values);
  }

  private static byte[] utf8(Expression literal) {
    Object v = ((Literal) literal).value();
    return v == null ? null : v.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void write(ColumnarBatch in, int[] rows, int n, WritableColumnVector out) {
    if (branch == null || branch.length < n) {
      branch = new int[Math.max(n, 4096)];
      holds = new boolean[branch.length];
    }
    int otherwise = conditions.length;
    boolean anyHeld = false;
    for (int b = conditions.length - 1; b >= 0; b--) {
      // Last branch first, so that an earlier TRUE branch overwrites a later one; a condition
      // TRUE on no row (the usual case of the jobs' invalid reasons) changes nothing.
      if (!conditions[b].mark(in, rows, n, holds)) {
        continue;
      }
      if (!anyHeld) {
        java.util.Arrays.fill(branch, 0, n, otherwise);
        anyHeld = true;
      }
      for (int j = 0; j < n; j++) {
        if (holds[j]) {
          branch[j] = b;
        }
      }
    }
    if (!anyHeld) {
      append(values[otherwise], n, out);
      return;
    }
    for (int j = 0; j < n; ) {
      // Runs of one branch: most rows of the jobs' reason are NULL (valid), appended at once.
      int b = branch[j];
      int run = 1;
      while (j + run < n && branch[j + run] == b) {
        run++;
      }
      append(values[b], run, out);
      j += run;
    }
  }

  /** Appends {@code v} (NULL if null) {@code times} times. */
  private static void append(byte[] v, int times, WritableColumnVector out) {
    if (v == null) {
      out.appendNulls(times);
    } else {
      for (int r = 0; r < times; r++) {
        out.appendByteArray(v, 0, v.length);
      }
    }
  }
}
