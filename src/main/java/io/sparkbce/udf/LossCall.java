package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.Reduction;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.CreateArray;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The arguments of one loss call, checked against SPEC §2 at analysis time and brought to the
 * canonical form the runtime reads: input and target as DOUBLE (rank 0) or ARRAY<DOUBLE> of the
 * same rank; for arrays, weight as an array of rank 1..rank aligned with the innermost dimensions
 * (a row weight becomes a one-element array, which broadcasts) and pos_weight as an array that runs
 * along the class dimension. Absent optional arguments become ones.
 */
final class LossCall {
  final FunctionContext context;
  final ElementQuantity quantity;
  final int rank;
  final int weightRank;
  final Expression input;
  final Expression target;
  final Expression weight;
  final Expression posWeight;
  final Reduction reduction;
  /** Which of input (1), target (2), weight (4) are arrays of FLOAT: see {@link FloatColumns}. */
  final int floatMask;
  /** pos_weight of array rows when it is a constant without NULL elements, else null. */
  final double[] constantPosWeight;

  private LossCall(
      FunctionContext context, ElementQuantity quantity, int rank, int weightRank,
      Expression input, Expression target, Expression weight, Expression posWeight,
      Reduction reduction, int floatMask) {
    this.context = context;
    this.quantity = quantity;
    this.rank = rank;
    this.weightRank = weightRank;
    this.input = input;
    this.target = target;
    this.weight = weight;
    this.posWeight = posWeight;
    this.reduction = reduction;
    this.floatMask = floatMask;
    this.constantPosWeight = constantOf(rank, posWeight);
  }

  /**
   * @param reductionIndex position of the reduction argument, or -1 for elementwise functions
   */
  static LossCall analyse(
      String function, ElementQuantity quantity, Seq<Expression> args, int reductionIndex) {
    FunctionContext ctx = new FunctionContext(function, args);
    boolean hasPosWeight = quantity.takesPosWeight();
    int max = reductionIndex >= 0 ? reductionIndex + 1 : (hasPosWeight ? 4 : 3);
    if (args.size() < 2 || args.size() > max) {
      throw ctx.analysisError("takes 2 to " + max + " arguments, got " + args.size());
    }
    Expression x = args.apply(0);
    Expression y = args.apply(1);
    ArgumentShape xs = ArgumentShape.of(ctx, "input", x, false);
    ArgumentShape ys = ArgumentShape.of(ctx, "target", y, true);
    if (xs.absent) {
      xs = ys;
    }
    if (ys.absent) {
      ys = xs;
    }
    if (xs.rank != ys.rank) {
      throw ctx.analysisError(
          "Target size must be the same as input size: target `" + FunctionContext.shown(y) + "` has rank "
              + ys.rank + " (" + y.dataType().sql() + ") but input `" + FunctionContext.shown(x) + "` has rank "
              + xs.rank + " (" + x.dataType().sql() + ")");
    }
    int rank = xs.rank;
    Expression w = args.size() > 2 ? args.apply(2) : null;
    Expression p = hasPosWeight && args.size() > 3 ? args.apply(3) : null;
    if (!hasPosWeight && reductionIndex < 0 && args.size() > 3) {
      throw ctx.analysisError("takes no pos_weight");
    }

    Expression cw;
    int weightRank;
    ArgumentShape ws = w == null ? null : ArgumentShape.of(ctx, "weight", w, false);
    if (ws == null || ws.absent) {
      cw = rank == 0 ? Literal.create(1.0, DataTypes.DoubleType) : ones();
      weightRank = rank == 0 ? 0 : 1;
    } else if (ws.rank > rank) {
      throw ctx.analysisError(
          "weight `" + FunctionContext.shown(w) + "` has rank " + ws.rank + " but input has rank " + rank
              + "; a weight is a number per row or an array of the input's shape");
    } else if (ws.rank == 0 && rank > 0) {
      cw = new CreateArray(seq(ws.toDoubles(w)));
      weightRank = 1;
    } else {
      cw = ws.toKernelForm(w);
      weightRank = ws.rank;
    }

    Expression cp;
    ArgumentShape ps = p == null ? null : ArgumentShape.of(ctx, "pos_weight", p, false);
    if (ps == null || ps.absent) {
      cp = rank == 0 ? Literal.create(1.0, DataTypes.DoubleType) : ones();
    } else if (ps.rank > 1) {
      throw ctx.analysisError(
          "pos_weight `" + FunctionContext.shown(p) + "` must be a number or an array of length C, got "
              + p.dataType().sql());
    } else if (rank == 0) {
      cp = ps.rank == 0 ? ps.toDoubles(p) : PosWeightArgument.single(ps.toDoubles(p), ctx);
    } else {
      cp = ps.rank == 0 ? new CreateArray(seq(ps.toDoubles(p))) : ps.toDoubles(p);
    }

    Reduction reduction = null;
    if (reductionIndex >= 0) {
      reduction = Reduction.MEAN;
      if (args.size() > reductionIndex) {
        reduction = reductionOf(ctx, args.apply(reductionIndex));
      }
    }
    int floats = FloatColumns.mask(xs.floats, ys.floats, ws != null && ws.floats && ws.rank > 0);
    return new LossCall(ctx, quantity, rank, weightRank, xs.toKernelForm(x), ys.toKernelForm(y),
        cw, cp, reduction, floats);
  }

  /** {@code bce_pos_weight(target)}: the target stands in for the input; no weights. */
  static LossCall targetOnly(String function, Seq<Expression> args) {
    FunctionContext ctx = new FunctionContext(function, args);
    if (args.size() != 1) {
      throw ctx.analysisError("takes 1 argument (target), got " + args.size());
    }
    Expression y = args.apply(0);
    ArgumentShape ys = ArgumentShape.of(ctx, "target", y, true);
    Expression cy = ys.toKernelForm(y);
    Expression one = ys.rank == 0 ? Literal.create(1.0, DataTypes.DoubleType) : ones();
    return new LossCall(ctx, ElementQuantity.TARGET, ys.rank, ys.rank == 0 ? 0 : 1, cy, cy, one,
        one, null, FloatColumns.mask(ys.floats, ys.floats, false));
  }

  private static Reduction reductionOf(FunctionContext ctx, Expression r) {
    if (!r.foldable()) {
      throw ctx.analysisError("reduction must be a constant string, got `" + FunctionContext.shown(r) + "`");
    }
    Object v = r.eval(null);
    if (v == null) {
      return Reduction.MEAN;
    }
    if (!(v instanceof UTF8String)) {
      throw ctx.analysisError("reduction must be a string, got " + r.dataType().sql());
    }
    try {
      return Reduction.parse(v.toString(), false);
    } catch (IllegalArgumentException e) {
      throw ctx.analysisError(e.getMessage());
    }
  }

  /**
   * The children, in the order the runtime reads them. A constant pos_weight array is held by the
   * aggregate itself ({@link #constantPosWeight}), so a placeholder stands in its slot.
   */
  Seq<Expression> children() {
    return seq(input, target, weight, constantPosWeight == null ? posWeight : ones());
  }

  private static double[] constantOf(int rank, Expression posWeight) {
    if (rank == 0 || !posWeight.foldable()) {
      return null;
    }
    ArrayData a = (ArrayData) posWeight.eval(null);
    if (a == null) {
      return null;
    }
    for (int i = 0; i < a.numElements(); i++) {
      if (a.isNullAt(i)) {
        return null;
      }
    }
    return a.toDoubleArray();
  }

  private static Literal ones() {
    return Literal.create(
        new GenericArrayData(new Object[] {1.0}), DataTypes.createArrayType(DataTypes.DoubleType));
  }

  @SafeVarargs
  static <T> Seq<T> seq(T... es) {
    List<T> l = new ArrayList<>(List.of(es));
    return CollectionConverters.asScala(l).toSeq();
  }
}
