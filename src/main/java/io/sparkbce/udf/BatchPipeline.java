package io.sparkbce.udf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.BasePredicate;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.HigherOrderFunction;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.Predicate;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.execution.ProjectExec;
import org.apache.spark.sql.execution.RowToColumnConverter;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractPartialFunction;

/**
 * The Filters and Projects a user puts between a columnar scan and the aggregate, applied a batch
 * at a time: the conditions select rows (one generated predicate, conjuncts in plan order, so an
 * upper condition never sees a row a lower one dropped; or, where {@link VectorCondition} takes
 * the whole condition, a column at a time, its TRUE rows being the predicate's), and the batch
 * the aggregate reads has the
 * aggregate child's columns followed by computed argument columns. A column the chain passes
 * through unchanged is the scan's own vector while no row is dropped; every other column is
 * computed into on-heap column vectors, a column at a time where {@link VectorColumn} can (the
 * jobs' invalid reason and window start), else by a generated projection per kept row. The
 * argument columns are computed from the child's columns, so a projected column many arguments
 * read (like the jobs' validity check) is computed once per row.
 */
final class BatchPipeline implements Serializable {
  private static final long serialVersionUID = 1L;
  /** The chain's conditions over the source's columns (bound), or null without a Filter. */
  private final Expression condition;
  /** Per child column: the source ordinal it passes through, or -1 when computed. */
  private final int[] passThrough;
  /** Each child column's expression over the source's columns (bound). */
  private final Expression[] childColumns;
  /** The argument columns' expressions over the child's columns (bound). */
  private final Expression[] arguments;
  /** Rows as UnsafeRows for lambda functions ({@link #readable}), else null. */
  private final DataType[] sourceTypes;
  private final DataType[] childTypes;

  private transient BasePredicate predicate;
  /** The condition over the vectors, or null if it has another form. */
  private transient VectorCondition vectorCondition;
  private transient boolean[] holds;
  private transient int[] selection;
  /** Child columns computed while every row is kept; all of them once a row is dropped. */
  private transient Materialized someColumns;
  private transient Materialized allColumns;
  private transient Materialized argumentColumns;
  private transient ColumnVector[] columns;
  private transient UnsafeProjection sourceRow;
  private transient UnsafeProjection childRow;

  private BatchPipeline(Expression condition, int[] passThrough, Expression[] childColumns,
      Expression[] arguments, Seq<Attribute> source, Seq<Attribute> child) {
    this.condition = condition;
    this.passThrough = passThrough;
    this.childColumns = childColumns;
    this.arguments = arguments;
    List<Expression> all = new ArrayList<>(List.of(childColumns));
    all.addAll(List.of(arguments));
    if (condition != null) {
      all.add(condition);
    }
    boolean lambdas = all.stream().anyMatch(BatchPipeline::hasLambda);
    this.sourceTypes = lambdas ? types(source) : null;
    this.childTypes = lambdas ? types(child) : null;
  }

  /**
   * Whether {@code e} has a lambda function: those read array elements with {@code get}, which on
   * a column vector's array ({@code ColumnarArray}) does not see NULL elements; on an UnsafeRow's
   * array it does, as on Spark's row path.
   */
  static boolean hasLambda(Expression e) {
    return e.find(x -> x instanceof HigherOrderFunction).isDefined();
  }

  static DataType[] types(Seq<Attribute> attributes) {
    DataType[] t = new DataType[attributes.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = attributes.apply(i).dataType();
    }
    return t;
  }

  /** Row i of {@code batch} as expressions read it (see {@link #hasLambda}). */
  static InternalRow readable(ColumnarBatch batch, int i, UnsafeProjection unsafe) {
    return unsafe == null ? batch.getRow(i) : unsafe.apply(batch.getRow(i));
  }

  /** Whether the plan between an aggregate and its columnar source may be applied to batches. */
  static boolean absorbable(SparkPlan p) {
    if (p instanceof FilterExec f) {
      return ColumnarAggregateRule.plain(f.condition());
    }
    if (p instanceof ProjectExec pr) {
      Seq<NamedExpression> list = pr.projectList();
      for (int i = 0; i < list.size(); i++) {
        if (!ColumnarAggregateRule.plain((Expression) list.apply(i))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The pipeline from {@code source}'s batches through {@code chain} (Filters and Projects, top
   * first) to {@code childOutput} (the top's output) followed by {@code computed} (expressions
   * over it); null when there is nothing to do.
   */
  static BatchPipeline of(List<SparkPlan> chain, Seq<Attribute> sourceOutput,
      Seq<Attribute> childOutput, List<Expression> computed) {
    if (chain.isEmpty() && computed.isEmpty()) {
      return null;
    }
    Map<ExprId, Expression> defined = new HashMap<>();
    List<Expression> conditions = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      SparkPlan p = chain.get(i);
      if (p instanceof FilterExec f) {
        conditions.add(inline(f.condition(), defined));
      } else {
        Seq<NamedExpression> list = ((ProjectExec) p).projectList();
        Map<ExprId, Expression> next = new HashMap<>(defined);
        for (int k = 0; k < list.size(); k++) {
          NamedExpression e = list.apply(k);
          next.put(e.exprId(), inline(e instanceof Alias a ? a.child() : (Expression) e, defined));
        }
        defined = next;
      }
    }
    int n = childOutput.size();
    int[] passThrough = new int[n];
    Expression[] childColumns = new Expression[n];
    for (int k = 0; k < n; k++) {
      childColumns[k] = BatchArgument.bound(inline(childOutput.apply(k), defined), sourceOutput);
      passThrough[k] = childColumns[k] instanceof BoundReference b ? b.ordinal() : -1;
    }
    Expression[] arguments = new Expression[computed.size()];
    for (int k = 0; k < arguments.length; k++) {
      arguments[k] = BatchArgument.bound(computed.get(k), childOutput);
    }
    Expression condition = null;
    for (Expression c : conditions) {
      Expression b = BatchArgument.bound(c, sourceOutput);
      condition = condition == null ? b : new And(condition, b);
    }
    return new BatchPipeline(condition, passThrough, childColumns, arguments, sourceOutput,
        childOutput);
  }

  /** {@code e} with the chain's aliases replaced by their definitions over the source. */
  private static Expression inline(Expression e, Map<ExprId, Expression> defined) {
    return e.transformUp(new AbstractPartialFunction<Expression, Expression>() {
      @Override
      public boolean isDefinedAt(Expression x) {
        return x instanceof Attribute a && defined.containsKey(a.exprId());
      }

      @Override
      public Expression apply(Expression x) {
        return defined.get(((Attribute) x).exprId());
      }
    });
  }

  /** The batch the aggregate reads; valid until the next call. */
  ColumnarBatch apply(ColumnarBatch in) {
    if (columns == null) {
      start();
    }
    int n = in.numRows();
    int kept = n;
    if (predicate != null) {
      if (selection.length < n) {
        selection = new int[n];
      }
      kept = select(in, n);
    }
    boolean everyRow = kept == n;
    Materialized m = everyRow ? someColumns : allColumns;
    m.write(in, everyRow ? null : selection, kept, sourceRow);
    int c = childColumns.length;
    for (int k = 0; k < c; k++) {
      columns[k] = everyRow && passThrough[k] >= 0 ? in.column(passThrough[k]) : m.column(k);
    }
    if (arguments.length > 0) {
      ColumnarBatch child = new ColumnarBatch(java.util.Arrays.copyOf(columns, c), kept);
      argumentColumns.write(child, null, kept, childRow);
      for (int k = 0; k < arguments.length; k++) {
        columns[c + k] = argumentColumns.column(k);
      }
    }
    return new ColumnarBatch(columns, kept);
  }

  /** Fills {@link #selection} with the rows of {@code in} that the condition keeps; how many. */
  private int select(ColumnarBatch in, int n) {
    int kept = 0;
    if (vectorCondition != null) {
      if (holds.length < n) {
        holds = new boolean[n];
      }
      try {
        if (!vectorCondition.mark(in, null, n, holds)) {
          return 0;
        }
        for (int i = 0; i < n; i++) {
          if (holds[i]) {
            selection[kept++] = i;
          }
        }
        return kept;
      } catch (ArithmeticException overflow) {
        // ANSI overflow in computed values, maybe on rows Spark's predicate would not reach:
        // Spark's predicate decides the batch, so its result or error stands.
        kept = 0;
      }
    }
    for (int i = 0; i < n; i++) {
      if (predicate.eval(readable(in, i, sourceRow))) {
        selection[kept++] = i;
      }
    }
    return kept;
  }

  private void start() {
    if (sourceTypes != null) {
      sourceRow = UnsafeProjection.create(sourceTypes);
      childRow = UnsafeProjection.create(childTypes);
    }
    if (condition != null) {
      predicate = Predicate.create(condition);
      TaskContext task = TaskContext.get();
      predicate.initialize(task == null ? 0 : task.partitionId());
      selection = new int[0];
      vectorCondition = sourceTypes == null ? VectorCondition.of(condition) : null;
      holds = new boolean[0];
    }
    Expression[] computedOnly = new Expression[childColumns.length];
    for (int k = 0; k < childColumns.length; k++) {
      computedOnly[k] = passThrough[k] < 0 ? childColumns[k] : null;
    }
    someColumns = new Materialized(computedOnly);
    allColumns = condition == null ? someColumns : new Materialized(childColumns);
    argumentColumns = new Materialized(arguments);
    columns = new ColumnVector[childColumns.length + arguments.length];
  }

  /**
   * Columns computed into on-heap vectors (those whose expression is not null): row by row by a
   * generated projection, or a column at a time where {@link VectorColumn} can.
   */
  private static final class Materialized {
    private final int[] index;
    private final MutableProjection projection;
    private final RowToColumnConverter converter;
    private final WritableColumnVector[] vectors;
    /** The vectors the projection writes, in its order. */
    private final WritableColumnVector[] projected;
    /** Per vector, its {@link VectorColumn}, or null when projected. */
    private final VectorColumn[] cases;

    Materialized(Expression[] which) {
      List<Expression> exprs = new ArrayList<>();
      List<StructField> fields = new ArrayList<>();
      List<StructField> projectedFields = new ArrayList<>();
      List<VectorColumn> byColumn = new ArrayList<>();
      index = new int[which.length];
      for (int k = 0; k < which.length; k++) {
        index[k] = which[k] == null ? -1 : fields.size();
        if (which[k] != null) {
          StructField field = new StructField("c" + k, which[k].dataType(), true, Metadata.empty());
          fields.add(field);
          VectorColumn vectorCase = VectorColumn.of(which[k]);
          byColumn.add(vectorCase);
          if (vectorCase == null) {
            projectedFields.add(field);
            exprs.add(which[k]);
          }
        }
      }
      StructType schema = new StructType(fields.toArray(new StructField[0]));
      projection = exprs.isEmpty() ? null
          : MutableProjection.create(LossCall.seq(exprs.toArray(new Expression[0])));
      converter = new RowToColumnConverter(
          new StructType(projectedFields.toArray(new StructField[0])));
      vectors = OnHeapColumnVector.allocateColumns(4096, schema);
      cases = byColumn.toArray(new VectorColumn[0]);
      List<WritableColumnVector> p = new ArrayList<>();
      for (int v = 0; v < vectors.length; v++) {
        if (cases[v] == null) {
          p.add(vectors[v]);
        }
      }
      projected = p.toArray(new WritableColumnVector[0]);
    }

    /** Rows selection[0..n-1] of {@code in} (rows 0..n-1 if selection is null). */
    void write(ColumnarBatch in, int[] selection, int n, UnsafeProjection unsafe) {
      for (WritableColumnVector v : vectors) {
        v.reset();
      }
      for (int v = 0; v < vectors.length; v++) {
        if (cases[v] != null) {
          cases[v].write(in, selection, n, vectors[v]);
        }
      }
      if (projection == null) {
        return;
      }
      for (int j = 0; j < n; j++) {
        converter.convert(projection.apply(
            readable(in, selection == null ? j : selection[j], unsafe)), projected);
      }
    }

    ColumnVector column(int k) {
      return vectors[index[k]];
    }
  }
}
