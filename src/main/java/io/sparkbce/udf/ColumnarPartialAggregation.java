package io.sparkbce.udf;

import io.sparkbce.loss.ElementConsumer;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.aggregate.DeclarativeAggregate;
import org.apache.spark.sql.catalyst.expressions.aggregate.TypedImperativeAggregate;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.collection.immutable.Seq;

/**
 * The partial (map-side) step of an aggregation made only of spark-bce aggregates, fed by columnar
 * batches: the work {@code ObjectHashAggregateExec} would do, without turning each row into an
 * UnsafeRow, projecting it per aggregate and looking its state up one row at a time. Scalar calls
 * go through the block kernel a batch at a time ({@link ScalarBlock}); array rows go through
 * {@link RowWalker} straight from the column vectors. Its output is exactly the partial
 * aggregate's (grouping key, then each state serialised by its {@code V2Aggregator}), so Spark's
 * final aggregate merges it unchanged and the result has the row path's bits.
 *
 * <p>Grouped state is kept per task up to a budget of accumulators
 * ({@link ColumnarAggregateRule#STATE_BUDGET}); beyond it the groups so far are emitted and state
 * starts afresh (the final step merges repeated keys), so memory is bounded whatever the number
 * of groups.
 */
final class ColumnarPartialAggregation implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long budget;
  private final SparkPartialAggregation spark;
  private final DataType[] inputTypes;

  private final RowAggregate<?, ?>[] functions;
  private final TypedImperativeAggregate<?>[] aggregators;
  private final BatchArgument[][] arguments;
  private final Seq<Expression> keys;
  /** Tells runs of rows with one key apart without building key rows, or null. */
  private final KeyRuns keyRuns;
  private final DataType[] keyTypes;
  private final DataType[] outputTypes;
  /** See the constructor. */
  private final boolean[] callOrder;
  /** The Filters, Projects and computed arguments between the batches and the calls, or null. */
  private final BatchPipeline pipeline;
  /** Spark's aggregates in the same query, or null; their buffer is a group's last state. */
  private final DeclarativeBuffers declaratives;

  /**
   * @param callOrder the query's aggregate calls in order: true for a spark-bce call (the next of
   *     {@code functions}), false for one of Spark's (the next of {@code declaratives})
   * @param chain the Filters and Projects between the source and the aggregate, top first
   * @param source the columns of the source's batches
   * @param input the columns the aggregate reads (the top of the chain's output)
   */
  ColumnarPartialAggregation(
      RowAggregate<?, ?>[] functions, TypedImperativeAggregate<?>[] aggregators,
      Seq<Expression>[] callArguments, List<DeclarativeAggregate> declaratives,
      boolean[] callOrder, Seq<NamedExpression> groupingExpressions, List<SparkPlan> chain,
      Seq<Attribute> source, Seq<Attribute> input, Seq<Attribute> output, long budget,
      SparkPartialAggregation spark) {
    this.functions = functions;
    this.budget = budget;
    this.spark = spark;
    this.callOrder = callOrder;
    this.inputTypes = new DataType[input.size()];
    for (int i = 0; i < inputTypes.length; i++) {
      inputTypes[i] = input.apply(i).dataType();
    }
    this.aggregators = aggregators;
    this.arguments = new BatchArgument[functions.length][];
    // Arguments other than columns and constants become columns the pipeline computes, with
    // generated code, once per row.
    List<Expression> computed = new ArrayList<>();
    for (int f = 0; f < functions.length; f++) {
      Seq<Expression> args = callArguments[f];
      arguments[f] = new BatchArgument[args.size()];
      for (int a = 0; a < args.size(); a++) {
        Expression e = args.apply(a);
        BatchArgument read = BatchArgument.of(e, input);
        if (read instanceof EvaluatedArgument) {
          read = new BatchColumn(input.size() + computed.size(), e.dataType());
          computed.add(e);
        }
        arguments[f][a] = read;
      }
    }
    this.pipeline = BatchPipeline.of(chain, source, input, computed);
    this.declaratives = declaratives.isEmpty() ? null : new DeclarativeBuffers(declaratives, input);
    Expression[] bound = new Expression[groupingExpressions.size()];
    keyTypes = new DataType[bound.length];
    for (int k = 0; k < bound.length; k++) {
      bound[k] = BatchArgument.bound((Expression) groupingExpressions.apply(k), input);
      keyTypes[k] = bound[k].dataType();
    }
    this.keys = LossCall.seq(bound);
    this.keyRuns = KeyRuns.of(bound);
    this.outputTypes = new DataType[output.size()];
    for (int i = 0; i < outputTypes.length; i++) {
      outputTypes[i] = output.apply(i).dataType();
    }
  }

  /** One task's partial rows. */
  Iterator<InternalRow> run(Iterator<ColumnarBatch> batches, Metrics metrics) {
    return new Task(batches, metrics);
  }

  /** What {@link ColumnarPartialAggregateExec} shows in the SQL UI. */
  static final class Metrics implements Serializable {
    private static final long serialVersionUID = 1L;
    final SQLMetric outputRows;
    /** Rows times functions, by how they were read: a batch per kernel call, or one by one. */
    final SQLMetric batchedRows;
    final SQLMetric singleRows;
    /** Early flushes of grouped state whose budget was full. */
    final SQLMetric flushes;
    /** Spark's partial aggregation, for tasks whose groups barely repeat. */
    final SQLMetric handedOver;
    final SQLMetric spillSize;
    final SQLMetric sortFallbacks;

    Metrics(SQLMetric outputRows, SQLMetric batchedRows, SQLMetric singleRows, SQLMetric flushes,
        SQLMetric handedOver, SQLMetric spillSize, SQLMetric sortFallbacks) {
      this.outputRows = outputRows;
      this.batchedRows = batchedRows;
      this.singleRows = singleRows;
      this.flushes = flushes;
      this.handedOver = handedOver;
      this.spillSize = spillSize;
      this.sortFallbacks = sortFallbacks;
    }
  }

  /** One task's pass over its batches; emits partial rows when the budget fills and at the end. */
  private final class Task implements Iterator<InternalRow> {
    private final Iterator<ColumnarBatch> batches;
    private final Map<UnsafeRow, Serializable[]> groups = new LinkedHashMap<>();
    private final UnsafeProjection keyOf =
        keyTypes.length == 0 ? null : UnsafeProjection.create(keys);
    private final UnsafeProjection outputRow = UnsafeProjection.create(outputTypes);
    private final ArrayDeque<InternalRow> ready = new ArrayDeque<>();
    private final ScalarBlock block = new ScalarBlock();
    private final ArrayBlock arrays = new ArrayBlock();
    private final GenericInternalRow callRow = new GenericInternalRow(4);
    private Serializable[][] statesOfRow = new Serializable[0][];
    /**
     * The states of every row of the run being updated when they are one group's (a global
     * aggregate, or a batch of one key), else null; statesOfRow is then filled only on demand
     * ({@link #rowStates}): the scalar path hands the whole run to that one state.
     */
    private Serializable[] uniformStates;
    private boolean rowStatesFilled;
    private Serializable[] stateColumn = new Serializable[0];
    /** Per row of the batch, whether its key is the previous row's ({@link KeyRuns#mark}). */
    private boolean[] sameKey = new boolean[0];
    private boolean done;
    /** The group of the last row grouped (a copy of its key), or null. */
    private final UnsafeRow lastKey = emptyKey();
    private Serializable[] lastStates;
    /** Accumulators per group, once measured ({@link #groupLimit}). */
    private long perGroup;

    private final Metrics metrics;
    /** Rows consumed since the last flush, to tell whether groups repeat. */
    private long rowsSinceFlush;
    /** Spark's partial aggregation of the rest of the task's rows, once handed over. */
    private scala.collection.Iterator<?> handedOver;

    /** Each call's constant pos_weight for array rows, or null; read here, on the executor. */
    private final double[][] posWeights = new double[functions.length][];

    Task(Iterator<ColumnarBatch> source, Metrics metrics) {
      this.batches = pipeline == null ? source : new Iterator<ColumnarBatch>() {
        @Override
        public boolean hasNext() {
          return source.hasNext();
        }

        @Override
        public ColumnarBatch next() {
          return pipeline.apply(source.next());
        }
      };
      this.metrics = metrics;
      for (int f = 0; f < functions.length; f++) {
        posWeights[f] = functions[f].constantPosWeight(arguments[f][3]);
      }
      if (keyOf == null) {
        groups.put(new UnsafeRow(0), newStates());
      }
    }

    @Override
    public boolean hasNext() {
      while (ready.isEmpty() && !done && handedOver == null) {
        if (batches.hasNext()) {
          consume(batches.next());
        } else {
          flush();
          done = true;
        }
      }
      return !ready.isEmpty() || (handedOver != null && handedOver.hasNext());
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return ready.isEmpty() ? (InternalRow) handedOver.next() : ready.poll();
    }

    private UnsafeRow emptyKey() {
      UnsafeRow r = new UnsafeRow(keyTypes.length);
      r.pointTo(new byte[64], 0);
      return r;
    }

    private Serializable[] newStates() {
      Serializable[] s = new Serializable[functions.length + (declaratives == null ? 0 : 1)];
      for (int f = 0; f < functions.length; f++) {
        s[f] = functions[f].newAggregationState();
      }
      if (declaratives != null) {
        s[functions.length] = declaratives.newBuffer();
      }
      return s;
    }

    /**
     * Rows get their group first; runs of rows whose groups fit in the budget go through each
     * function a batch at a time. A row that needs a group beyond the budget, or the first row
     * before any group's size is known, goes alone, flushing when the budget is full.
     */
    private void consume(ColumnarBatch batch) {
      int n = batch.numRows();
      if (statesOfRow.length < n) {
        statesOfRow = new Serializable[n][];
        stateColumn = new Serializable[n];
      }
      if (keyRuns != null) {
        if (sameKey.length < n) {
          sameKey = new boolean[n];
        }
        keyRuns.mark(batch, n, sameKey);
      }
      int from = 0;
      while (from < n) {
        int run = keyOf == null ? groupAll(from, n) : groupWithinBudget(batch, from, n);
        if (run > 0) {
          updateBatch(batch, from, run);
          from += run;
          rowsSinceFlush += run;
          continue;
        }
        if (needsGroupPastBudget(batch, from)) {
          // Fewer than two rows per group since the last flush: hashing does not reduce, so
          // the rest of the task goes to Spark's partial aggregation, which sorts.
          boolean repeats = rowsSinceFlush >= 2L * groups.size();
          flush();
          metrics.flushes.add(1);
          if (!repeats) {
            handOver(batch, from);
            return;
          }
        }
        updateRow(batch, from++);
        rowsSinceFlush++;
      }
    }

    private boolean needsGroupPastBudget(ColumnarBatch batch, int i) {
      return !groups.isEmpty() && groups.size() >= groupLimit()
          && !groups.containsKey(keyOf.apply(batch.getRow(i)));
    }

    /** Rows from..n-1 of this batch and all later batches go to {@link SparkPartialAggregation}. */
    private void handOver(ColumnarBatch batch, int from) {
      metrics.handedOver.add(1);
      UnsafeProjection unsafe = UnsafeProjection.create(inputTypes);
      Iterator<InternalRow> rest = new Iterator<InternalRow>() {
        private ColumnarBatch current = batch;
        private int row = from;

        @Override
        public boolean hasNext() {
          while (row >= current.numRows()) {
            if (!batches.hasNext()) {
              return false;
            }
            current = batches.next();
            row = 0;
          }
          return true;
        }

        @Override
        public InternalRow next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return unsafe.apply(current.getRow(row++));
        }
      };
      handedOver = spark.aggregate(scala.jdk.javaapi.CollectionConverters.asScala(rest),
          metrics.outputRows, metrics.spillSize, metrics.sortFallbacks);
    }

    private int groupAll(int from, int n) {
      uniformStates = groups.values().iterator().next();
      rowStatesFilled = false;
      return n - from;
    }

    /** Each row's states, rows 0 .. n-1 of the run being updated. */
    private Serializable[][] rowStates(int n) {
      if (uniformStates != null && !rowStatesFilled) {
        java.util.Arrays.fill(statesOfRow, 0, n, uniformStates);
        rowStatesFilled = true;
      }
      return statesOfRow;
    }

    /**
     * Gives rows from, from+1, ... their groups while the groups fit in the budget; returns how
     * many rows got one (0 while no group has been measured).
     */
    private int groupWithinBudget(ColumnarBatch batch, int from, int n) {
      long limit = groupLimit();
      uniformStates = null;
      if (perGroup == 0) {
        return 0;
      }
      if (keyRuns != null && lastStates != null && sameKeyAfter(from, n)
          && keyOf.apply(batch.getRow(from)).equals(lastKey)) {
        // The whole run is the last group's (a day, a window, or no key but the valid rows').
        uniformStates = lastStates;
        rowStatesFilled = false;
        return n - from;
      }
      boolean oneGroup = true;
      for (int i = from; i < n; i++) {
        if (i > from && keyRuns != null && sameKey[i]) {
          statesOfRow[i - from] = lastStates;
          continue;
        }
        UnsafeRow key = keyOf.apply(batch.getRow(i));
        // Rows of a group often come together (days, windows, sorted keys): no hashing then.
        if (lastStates == null || !key.equals(lastKey)) {
          Serializable[] states = groups.get(key);
          if (states == null) {
            if (groups.size() >= limit) {
              return grouped(from, i, oneGroup);
            }
            states = newStates();
            groups.put(key.copy(), states);
          }
          lastKey.copyFrom(key);
          lastStates = states;
        }
        oneGroup &= i == from || statesOfRow[0] == lastStates;
        statesOfRow[i - from] = lastStates;
      }
      return grouped(from, n, oneGroup);
    }

    /** Whether rows from+1 .. n-1 each have the key of the row before them. */
    private boolean sameKeyAfter(int from, int n) {
      for (int i = from + 1; i < n; i++) {
        if (!sameKey[i]) {
          return false;
        }
      }
      return true;
    }

    /** Rows from .. end-1 have their states in statesOfRow; how many they are. */
    private int grouped(int from, int end, boolean oneGroup) {
      if (oneGroup && end > from) {
        uniformStates = statesOfRow[0];
        rowStatesFilled = true;
      }
      return end - from;
    }

    /** Rows from .. from+n-1, whose states are in statesOfRow[0 .. n-1]. */
    private void updateBatch(ColumnarBatch batch, int from, int n) {
      for (int f = 0; f < functions.length; f++) {
        int rank = functions[f].rank();
        if (rank == 0) {
          updateScalars(f, batch, from, n);
          metrics.batchedRows.add(n);
        } else if (rank == 1 && arrays.plain(batch, from, n, arguments[f], posWeights[f])) {
          Serializable[] states = statesOf(f, n);
          boolean inputs = ((ElementConsumer) states[0]).readsInputs();
          for (int first = 0; first < n; ) {
            int last = arrays.load(first, n, inputs);
            functions[f].updateArrays(arrays, states, first, last);
            first = last;
          }
          metrics.batchedRows.add(n);
        } else {
          updateRows(f, batch, from, n);
          metrics.singleRows.add(n);
        }
      }
      if (declaratives != null) {
        int last = functions.length;
        if (uniformStates != null) { // the run is one group's: no per-row states to fill or scan
          declaratives.update((InternalRow) uniformStates[last], batch, from, n);
          return;
        }
        // Runs of rows of one group (consecutive rows share their states) update it at once.
        Serializable[][] statesOfRow = rowStates(n);
        for (int i = 0; i < n; ) {
          Serializable[] states = statesOfRow[i];
          int run = 1;
          while (i + run < n && statesOfRow[i + run] == states) {
            run++;
          }
          declaratives.update((InternalRow) states[last], batch, from + i, run);
          i += run;
        }
      }
    }

    /** Row i alone, through every function; a new group past the budget flushes first. */
    private void updateRow(ColumnarBatch batch, int i) {
      UnsafeRow key = keyOf.apply(batch.getRow(i));
      Serializable[] states = groups.get(key);
      if (states == null) {
        states = newStates();
        groups.put(key.copy(), states);
      }
      for (int f = 0; f < functions.length; f++) {
        BatchArgument[] args = arguments[f];
        for (int a = 0; a < args.length; a++) {
          callRow.update(a, args[a].value(batch, i));
        }
        states[f] = functions[f].update(states[f], callRow);
      }
      if (declaratives != null) {
        declaratives.update((InternalRow) states[functions.length], batch, i);
      }
      metrics.singleRows.add(functions.length);
    }

    private void updateScalars(int f, ColumnarBatch batch, int from, int n) {
      BatchArgument[] args = arguments[f];
      block.reset(n);
      boolean anyNull = args[0].readDoubles(batch, from, n, block.x, block.skip);
      anyNull |= args[1].readDoubles(batch, from, n, block.y, block.skip);
      anyNull |= args[2].readDoubles(batch, from, n, block.w, block.skip);
      anyNull |= args[3].readDoubles(batch, from, n, block.p, block.posWeightNull);
      block.anyNull = anyNull;
      if (uniformStates != null) {
        functions[f].updateScalars(block, uniformStates[f]);
      } else {
        functions[f].updateScalars(block, statesOf(f, n));
      }
    }

    /** Function f's state for each row of the batch. */
    private Serializable[] statesOf(int f, int n) {
      Serializable[][] statesOfRow = rowStates(n);
      for (int i = 0; i < n; i++) {
        stateColumn[i] = statesOfRow[i][f];
      }
      return stateColumn;
    }

    private void updateRows(int f, ColumnarBatch batch, int from, int n) {
      BatchArgument[] args = arguments[f];
      RowAggregate<?, ?> function = functions[f];
      Serializable[][] statesOfRow = rowStates(n);
      for (int i = 0; i < n; i++) {
        for (int a = 0; a < args.length; a++) {
          callRow.update(a, args[a].value(batch, from + i));
        }
        Serializable[] states = statesOfRow[i];
        states[f] = function.update(states[f], callRow);
      }
    }

    /**
     * How many groups fit in the budget, from the size of the oldest group (whose state has seen
     * rows, so it knows its number of classes); unlimited while no group has been measured.
     */
    private long groupLimit() {
      if (!groups.isEmpty()) {
        Serializable[] oldest = groups.values().iterator().next();
        long measured = 0;
        for (int f = 0; f < functions.length; f++) {
          measured += functions[f].footprint(oldest[f]);
        }
        perGroup = Math.max(perGroup, measured);
      }
      return perGroup == 0 ? Long.MAX_VALUE : Math.max(1, budget / perGroup);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void flush() {
      Object[] values = new Object[outputTypes.length];
      int k = keyTypes.length;
      for (Map.Entry<UnsafeRow, Serializable[]> e : groups.entrySet()) {
        for (int i = 0; i < k; i++) {
          values[i] = e.getKey().get(i, keyTypes[i]);
        }
        Serializable[] states = e.getValue();
        int at = k;
        int bce = 0;
        int declarative = 0;
        for (boolean ours : callOrder) {
          if (ours) {
            values[at++] = ((TypedImperativeAggregate) aggregators[bce]).serialize(states[bce]);
            bce++;
          } else {
            at += declaratives.write((InternalRow) states[functions.length], declarative++,
                values, at);
          }
        }
        ready.add(outputRow.apply(new GenericInternalRow(values)).copy());
      }
      metrics.outputRows.add(groups.size());
      rowsSinceFlush = 0;
      groups.clear();
      lastStates = null;
    }
  }
}
