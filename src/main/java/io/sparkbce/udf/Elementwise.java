package io.sparkbce.udf;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.LossKernel;
import io.sparkbce.loss.ProbabilityRangeException;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The elementwise functions ({@code bce_with_logits}, {@code bce}, {@code bce_with_logits_grad}) as
 * static methods that Spark's generated code calls directly: DOUBLE rows with primitive arguments,
 * array rows through {@link RowWalker}.
 */
public final class Elementwise {
  private static final ElementQuantity[] QUANTITIES = ElementQuantity.values();

  private Elementwise() {}

  static Expression build(LossCall call) {
    String shown = call.context.display();
    if (call.rank == 0) {
      switch (call.quantity) {
        case WITH_LOGITS:
          return StaticCall.named(shown, Elementwise.class, DataTypes.DoubleType, "withLogits",
              call.input, call.target, call.weight, call.posWeight);
        case WITH_LOGITS_GRAD:
          return StaticCall.named(shown, Elementwise.class, DataTypes.DoubleType, "withLogitsGrad",
              call.input, call.target, call.weight, call.posWeight);
        default:
          return StaticCall.named(shown, Elementwise.class, DataTypes.DoubleType, "probabilities",
              call.input, call.target, call.weight, StaticCall.context(call.context));
      }
    }
    return StaticCall.named(shown,
        Elementwise.class, ArgumentShape.doubles(call.rank), "arrays",
        Literal.create(call.quantity.ordinal(), DataTypes.IntegerType),
        call.input, call.target, call.weight, call.posWeight,
        Literal.create(call.rank, DataTypes.IntegerType),
        Literal.create(call.weightRank, DataTypes.IntegerType),
        Literal.create(call.floatMask, DataTypes.IntegerType),
        StaticCall.context(call.context));
  }

  public static double withLogits(double x, double y, double w, double p) {
    return LossKernel.withLogits(x, y, w, p);
  }

  public static double withLogitsGrad(double x, double y, double w, double p) {
    return LossKernel.withLogitsGrad(x, y, w, p);
  }

  public static double probabilities(double q, double y, double w, UTF8String context) {
    try {
      return LossKernel.probabilities(q, y, w);
    } catch (ProbabilityRangeException e) {
      throw new FunctionContext(context.toString()).runtimeError(e.getMessage());
    }
  }

  public static ArrayData arrays(
      int quantity, ArrayData x, ArrayData y, ArrayData w, ArrayData p, int rank, int weightRank,
      int floats, UTF8String context) {
    return RowWalker.get()
        .walk(QUANTITIES[quantity], x, y, w, p, rank, weightRank, floats, null, null, true,
            context);
  }
}
