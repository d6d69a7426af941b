package io.sparkbce;

import io.sparkbce.udf.BceFunctionRegistry;
import io.sparkbce.udf.PosWeightColumn;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The SQL functions of SPEC §3 as Column expressions, plus {@link #register}. A {@code null}
 * skips an optional argument (SQL's untyped NULL), without a cast:
 * {@code bceWithLogitsLoss(x, y, null, null, "sum")}. A weight or pos_weight may be a Column or a
 * constant {@code double[]}; a {@code double[]} pos_weight is shipped to the executors once (a
 * broadcast from {@value PosWeightColumn#BROADCAST_FROM} classes).
 *
 * <p>The Columns resolve through the session's function registry: building one registers the
 * functions in the active session if neither the extension nor {@link #register} did.
 */
public final class BceFunctions {
  private BceFunctions() {}

  /** Makes the functions callable by their unqualified names in SQL on this session. */
  public static void register(SparkSession spark) {
    BceFunctionRegistry.register(spark);
  }

  public static Column bceWithLogits(Column input, Column target) {
    return call("bce_with_logits", input, target);
  }

  public static Column bceWithLogits(Column input, Column target, Column weight) {
    return call("bce_with_logits", input, target, weight);
  }

  public static Column bceWithLogits(
      Column input, Column target, Column weight, Column posWeight) {
    return call("bce_with_logits", input, target, weight, posWeight);
  }

  /**
   * @param weight a Column, a {@code double[]} (broadcast along the innermost dimension) or null
   * @param posWeight a Column, a {@code double[]} of length C (shipped once) or null
   */
  public static Column bceWithLogits(
      Column input, Column target, Object weight, Object posWeight) {
    return bceWithLogits(input, target, weight(weight), posWeight(posWeight));
  }

  public static Column bce(Column input, Column target) {
    return call("bce", input, target);
  }

  public static Column bce(Column input, Column target, Column weight) {
    return call("bce", input, target, weight);
  }

  /** @param weight a Column, a {@code double[]} (broadcast along the innermost dimension) or null */
  public static Column bce(Column input, Column target, Object weight) {
    return bce(input, target, weight(weight));
  }

  public static Column bceWithLogitsGrad(Column input, Column target) {
    return call("bce_with_logits_grad", input, target);
  }

  public static Column bceWithLogitsGrad(Column input, Column target, Column weight) {
    return call("bce_with_logits_grad", input, target, weight);
  }

  public static Column bceWithLogitsGrad(
      Column input, Column target, Column weight, Column posWeight) {
    return call("bce_with_logits_grad", input, target, weight, posWeight);
  }

  /** As {@link #bceWithLogits(Column, Column, Object, Object)}. */
  public static Column bceWithLogitsGrad(
      Column input, Column target, Object weight, Object posWeight) {
    return bceWithLogitsGrad(input, target, weight(weight), posWeight(posWeight));
  }

  public static Column bceWithLogitsLoss(Column input, Column target) {
    return call("bce_with_logits_loss", input, target);
  }

  public static Column bceWithLogitsLoss(Column input, Column target, Column weight) {
    return call("bce_with_logits_loss", input, target, weight);
  }

  public static Column bceWithLogitsLoss(
      Column input, Column target, Column weight, Column posWeight, String reduction) {
    return call("bce_with_logits_loss", input, target, weight, posWeight, lit(reduction));
  }

  /** As {@link #bceWithLogits(Column, Column, Object, Object)}, reduced. */
  public static Column bceWithLogitsLoss(
      Column input, Column target, Object weight, Object posWeight, String reduction) {
    return bceWithLogitsLoss(input, target, weight(weight), posWeight(posWeight), reduction);
  }

  public static Column bceLoss(Column input, Column target) {
    return call("bce_loss", input, target);
  }

  public static Column bceLoss(Column input, Column target, Column weight, String reduction) {
    return call("bce_loss", input, target, weight, lit(reduction));
  }

  /** @param weight a Column, a {@code double[]} (broadcast along the innermost dimension) or null */
  public static Column bceLoss(Column input, Column target, Object weight, String reduction) {
    return bceLoss(input, target, weight(weight), reduction);
  }

  public static Column bceWithLogitsLossPerClass(Column input, Column target) {
    return call("bce_with_logits_loss_per_class", input, target);
  }

  public static Column bceWithLogitsLossPerClass(
      Column input, Column target, Column weight, Column posWeight, String reduction) {
    return call(
        "bce_with_logits_loss_per_class", input, target, weight, posWeight, lit(reduction));
  }

  /** As {@link #bceWithLogitsLoss(Column, Column, Object, Object, String)}, one per class. */
  public static Column bceWithLogitsLossPerClass(
      Column input, Column target, Object weight, Object posWeight, String reduction) {
    return bceWithLogitsLossPerClass(
        input, target, weight(weight), posWeight(posWeight), reduction);
  }

  public static Column bcePosWeight(Column target) {
    return call("bce_pos_weight", target);
  }

  /*
   * Why Object: Java cannot choose between a Column and a double[] parameter for a bare null, so
   * `bceWithLogitsLoss(x, y, null, null, "sum")` would not compile with both. The Column overloads
   * are the more specific ones (null and Columns go there); these take the arrays.
   */
  private static Column weight(Object weight) {
    return optional("weight", weight, functions::lit);
  }

  private static Column posWeight(Object posWeight) {
    return optional("pos_weight", posWeight, PosWeightColumn::of);
  }

  private static Column optional(
      String argument, Object value, java.util.function.Function<double[], Column> array) {
    if (value == null || value instanceof Column) {
      return (Column) value;
    }
    if (value instanceof double[] values) {
      return array.apply(values);
    }
    throw new IllegalArgumentException(argument + " is a Column, a double[] or null, got "
        + value.getClass().getSimpleName());
  }

  private static Column lit(String reduction) {
    return functions.lit(reduction);
  }

  private static Column call(String name, Column... args) {
    SparkSession.getActiveSession().foreach(spark -> {
      if (!BceFunctionRegistry.isRegistered(spark)) {
        BceFunctionRegistry.register(spark);
      }
      return null;
    });
    Column[] cols = new Column[args.length];
    for (int i = 0; i < args.length; i++) {
      cols[i] = args[i] == null ? functions.lit(null) : args[i];
    }
    return functions.call_function(name, cols);
  }
}
