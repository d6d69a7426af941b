package io.sparkbce.udf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.catalyst.expressions.SpecificInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.aggregate.Count;
import org.apache.spark.sql.catalyst.expressions.aggregate.DeclarativeAggregate;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;

/**
 * Spark's own aggregates ({@code count}, {@code count_if}, {@code sum}, {@code min}, ...) in the
 * same query as spark-bce aggregates: one buffer row per group holding every such function's
 * aggregation buffer, updated row by row by Spark's own generated update expressions, in the
 * rows' order, so the partial buffers are those Spark's partial aggregation would emit.
 */
final class DeclarativeBuffers implements Serializable {
  private static final long serialVersionUID = 1L;
  private final DataType[] types;
  private final Expression[] initialValues;
  private final Seq<Expression> updates;
  private final Seq<Attribute> schema;
  /** Function i's buffer is fields offsets[i] .. offsets[i + 1] - 1. */
  private final int[] offsets;

  /** Buffer fields of {@code count(*)}s: one more per row, without the projection. */
  private final int[] rowCounts;
  /** The input's types when an update has a lambda function, else null. */
  private final DataType[] lambdaInput;
  private transient MutableProjection update;
  private transient JoinedRow joined;
  private transient UnsafeProjection unsafe;

  /** @param input the columns of the rows the aggregate reads */
  DeclarativeBuffers(List<DeclarativeAggregate> functions, Seq<Attribute> input) {
    List<Attribute> buffer = new ArrayList<>();
    List<Expression> initial = new ArrayList<>();
    List<Expression> updateExprs = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    offsets = new int[functions.size() + 1];
    for (int i = 0; i < functions.size(); i++) {
      DeclarativeAggregate f = functions.get(i);
      offsets[i] = buffer.size();
      List<Expression> update =
          scala.jdk.javaapi.CollectionConverters.asJava(f.updateExpressions());
      if (countsEveryRow(f)) {
        counts.add(buffer.size());
        // Its field keeps its value in the projection (Spark's own no-op for a buffer field).
        update = List.of(f.aggBufferAttributes().apply(0));
      }
      buffer.addAll(scala.jdk.javaapi.CollectionConverters.asJava(f.aggBufferAttributes()));
      initial.addAll(scala.jdk.javaapi.CollectionConverters.asJava(f.initialValues()));
      updateExprs.addAll(update);
    }
    offsets[functions.size()] = buffer.size();
    types = buffer.stream().map(Attribute::dataType).toArray(DataType[]::new);
    initialValues = initial.toArray(new Expression[0]);
    rowCounts = counts.stream().mapToInt(Integer::intValue).toArray();
    updates = counts.size() == functions.size() ? null
        : LossCall.seq(updateExprs.toArray(new Expression[0]));
    List<Attribute> all = new ArrayList<>(buffer);
    all.addAll(scala.jdk.javaapi.CollectionConverters.asJava(input));
    schema = LossCall.seq(all.toArray(new Attribute[0]));
    lambdaInput = updates != null && updateExprs.stream().anyMatch(BatchPipeline::hasLambda)
        ? BatchPipeline.types(input) : null;
  }

  /**
   * {@code count(*)}, {@code count(1)}: a count of arguments that are never NULL adds one per row
   * (its update expression, {@code count + 1L}, done directly).
   */
  private static boolean countsEveryRow(DeclarativeAggregate f) {
    return f instanceof Count c && c.children().forall(e -> !e.nullable());
  }

  /** A group's buffer at the functions' initial values. */
  InternalRow newBuffer() {
    SpecificInternalRow b = new SpecificInternalRow(LossCall.seq(types));
    for (int i = 0; i < types.length; i++) {
      b.update(i, initialValues[i].eval(null));
    }
    return b;
  }

  /** Adds row i of {@code batch} to {@code buffer}. */
  void update(InternalRow buffer, ColumnarBatch batch, int i) {
    update(buffer, batch, i, 1);
  }

  /**
   * Adds rows i .. i + rows - 1 of {@code batch}, all of one group, to its {@code buffer}: the
   * counts of every row at once, other updates row by row in order.
   */
  void update(InternalRow buffer, ColumnarBatch batch, int i, int rows) {
    for (int field : rowCounts) {
      buffer.setLong(field, buffer.getLong(field) + rows);
    }
    if (updates == null) {
      return;
    }
    for (int r = i; r < i + rows; r++) {
      updateOthers(buffer, batch, r);
    }
  }

  private void updateOthers(InternalRow buffer, ColumnarBatch batch, int i) {
    if (update == null) {
      update = MutableProjection.create(updates, schema);
      joined = new JoinedRow();
      unsafe = lambdaInput == null ? null : UnsafeProjection.create(lambdaInput);
    }
    update.target(buffer).apply(joined.apply(buffer, BatchPipeline.readable(batch, i, unsafe)));
  }

  /** Copies function {@code f}'s buffer fields into {@code values} from {@code at}; returns how many. */
  int write(InternalRow buffer, int f, Object[] values, int at) {
    int n = offsets[f + 1] - offsets[f];
    for (int j = 0; j < n; j++) {
      int field = offsets[f] + j;
      values[at + j] = buffer.isNullAt(field) ? null : buffer.get(field, types[field]);
    }
    return n;
  }
}
