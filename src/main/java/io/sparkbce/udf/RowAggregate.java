package io.sparkbce.udf;

import io.sparkbce.loss.ElementConsumer;
import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.Rests;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.connector.catalog.functions.AggregateFunction;
import org.apache.spark.sql.types.DataType;

/**
 * The update step shared by every aggregate: rows whose input, target or weight is NULL are
 * skipped (as {@code avg} skips NULLs), and each valid element goes, unboxed, into the state.
 * Subclasses say only what the state is and what it produces (Deequ's zero/update/merge/result).
 */
abstract class RowAggregate<S extends Serializable & ElementConsumer, R>
    implements AggregateFunction<Serializable, R> {
  private static final long serialVersionUID = 1L;
  private final String name;
  private final ElementQuantity quantity;
  private final int rank;
  private final int weightRank;
  private final int floats;
  private final String context;
  private final DataType[] inputTypes;
  /** A constant pos_weight array, read once here rather than copied into every input row. */
  private final double[] constantPosWeight;
  private transient ArrayData constantPosWeightData;
  /** The accuracy of the elements' rests ({@link ExactRests}), fixed when the call is bound. */
  private final Rests rests;

  RowAggregate(String name, LossCall call) {
    this.name = name;
    this.quantity = call.quantity;
    this.rank = call.rank;
    this.weightRank = call.weightRank;
    this.floats = call.floatMask;
    this.context = call.context.call();
    this.constantPosWeight = call.constantPosWeight;
    this.rests = ExactRests.current();
    this.inputTypes = scala.jdk.javaapi.CollectionConverters.asJava(call.children()).stream()
        .map(Expression::dataType).toArray(DataType[]::new);
  }

  /** The Catalyst aggregate expression that runs this function over the call's children. */
  static Expression expression(RowAggregate<?, ?> function, LossCall call) {
    return new NamedAggregator<>(call.context.display(), function, call.children(), 0, 0);
  }

  private ArrayData posWeight(InternalRow row) {
    if (constantPosWeight == null) {
      return row.getArray(3);
    }
    if (constantPosWeightData == null) {
      constantPosWeightData = UnsafeArrayData.fromPrimitiveArray(constantPosWeight);
    }
    return constantPosWeightData;
  }

  /** The zero state. */
  abstract S zero();

  /** A state from its serialised form (see {@link #state}). */
  abstract S restore(byte[] bytes);

  /** {@code left} plus {@code right}. */
  abstract S combine(S left, S right);

  abstract R result(S state);

  /** How many exact accumulators (two {@code ExactSum}s each) the state holds: its heap size. */
  abstract int accumulators(S state);

  /**
   * States travel between tasks as byte[] (their writeReplace): Spark deserialises them with a
   * class loader that cannot see an application jar, so they must not need our classes to load.
   */
  @SuppressWarnings("unchecked")
  private S state(Serializable s) {
    return s instanceof byte[] ? restore((byte[]) s) : (S) s;
  }

  @Override
  public final Serializable newAggregationState() {
    S state = zero();
    state.rests(rests);
    return state;
  }

  @Override
  public final Serializable merge(Serializable left, Serializable right) {
    try {
      return combine(state(left), state(right));
    } catch (IllegalArgumentException e) {
      throw new FunctionContext(context).runtimeError(e.getMessage());
    }
  }

  @Override
  public final R produceResult(Serializable state) {
    return result(state(state));
  }

  @Override
  public final Serializable update(Serializable buffer, InternalRow row) {
    S state = state(buffer);
    if (row.isNullAt(0) || row.isNullAt(1) || row.isNullAt(2)) {
      return state;
    }
    if (row.isNullAt(3)) {
      throw new FunctionContext(context).runtimeError("pos_weight is NULL");
    }
    if (rank == 0) {
      double x = row.getDouble(0);
      double y = row.getDouble(1);
      double w = row.getDouble(2);
      double p = row.getDouble(3);
      double[] v = new double[2];
      try {
        quantity.apply(x, y, w, p, rests, v);
        state.beginBlock(1);
      } catch (IllegalArgumentException e) {
        throw new FunctionContext(context).runtimeError(e.getMessage());
      }
      state.acceptElement(0, x, y, p, v[0], v[1], w);
    } else {
      RowWalker.get().walk(quantity, row.getArray(0), row.getArray(1), row.getArray(2),
          posWeight(row), rank, weightRank, floats, state, rests, false, context);
    }
    return state;
  }

  int rank() {
    return rank;
  }

  @SuppressWarnings("unchecked")
  final int footprint(Serializable state) {
    return accumulators((S) state);
  }

  /**
   * The columnar path's update ({@link ColumnarPartialAggregation}): the rows of a scalar call
   * (rank 0) already read into {@code block}, row i going into {@code states[i]}. The rules are
   * {@link #update}'s, and so is each element's value: the block kernel is bit-identical to the
   * scalar one.
   */
  @SuppressWarnings("unchecked")
  final void updateScalars(ScalarBlock block, Serializable[] states) {
    int n = scalarLosses(block);
    // Rows of one group come in runs: one call per run.
    for (int j = 0; j < n; ) {
      S state = (S) states[block.row[j]];
      int end = j + 1;
      while (end < n && states[block.row[end]] == state) {
        end++;
      }
      state.acceptScalarRows(
          block.x, block.y, block.p, block.out, block.low, block.w, j, end - j);
      j = end;
    }
  }

  /** {@link #updateScalars(ScalarBlock, Serializable[])} when every row goes into {@code state}. */
  @SuppressWarnings("unchecked")
  final void updateScalars(ScalarBlock block, Serializable state) {
    int n = scalarLosses(block);
    ((S) state).acceptScalarRows(
        block.x, block.y, block.p, block.out, block.low, block.w, 0, n);
  }

  /** Keeps the block's valid rows and computes their losses into block.out; how many rows. */
  private int scalarLosses(ScalarBlock block) {
    FunctionContext errors = new FunctionContext(context);
    int n = block.keepValidRows(errors);
    try {
      quantity.apply(block.x, block.y, block.w, block.p, block.out, block.low, rests, n);
    } catch (IllegalArgumentException e) {
      throw errors.runtimeError(e.getMessage());
    }
    return n;
  }

  /** The pos_weight of array rows when it is a constant without NULLs, else null. */
  double[] constantPosWeight(BatchArgument argument) {
    return constantPosWeight != null ? constantPosWeight : argument.constantDoubles();
  }

  /**
   * The columnar path's update for the array rows first .. last-1 loaded into one block
   * ({@link ArrayBlock}), row i going into {@code states[i]}: {@link RowWalker}'s rules for plain
   * rows, with one kernel call for the block.
   */
  @SuppressWarnings("unchecked")
  final void updateArrays(ArrayBlock block, Serializable[] states, int first, int last) {
    try {
      block.computeQuantity(quantity, rests);
      // Rows of one group come in runs (all of them in a global aggregate): one call per run.
      for (int i = first; i < last; ) {
        S state = (S) states[i];
        int end = i + 1;
        while (end < last && states[end] == state) {
          end++;
        }
        state.acceptArrayRows(block.x, block.y, block.p, block.out, block.low, block.w,
            block.start, block.length, i, end);
        i = end;
      }
    } catch (IllegalArgumentException e) {
      throw new FunctionContext(context).runtimeError(e.getMessage());
    }
  }

  @Override
  public DataType[] inputTypes() {
    return inputTypes.clone();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isResultNullable() {
    return true;
  }
}
