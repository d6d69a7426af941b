package io.sparkbce;

import io.sparkbce.udf.BceFunctionRegistry;
import io.sparkbce.udf.PosWeightColumn;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The SQL functions of SPEC §3 as Column expressions, plus {@link #register}. A {@code null}
 * Column or array skips an optional argument (SQL's untyped NULL). A {@code double[]} pos_weight is
 * shipped to the executors once (a broadcast from {@value PosWeightColumn#BROADCAST_FROM} classes).
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

  public static Column bceWithLogits(
      Column input, Column target, Column weight, double[] posWeight) {
    return bceWithLogits(input, target, weight, PosWeightColumn.of(posWeight));
  }

  public static Column bce(Column input, Column target) {
    return call("bce", input, target);
  }

  public static Column bce(Column input, Column target, Column weight) {
    return call("bce", input, target, weight);
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

  public static Column bceWithLogitsGrad(
      Column input, Column target, Column weight, double[] posWeight) {
    return bceWithLogitsGrad(input, target, weight, PosWeightColumn.of(posWeight));
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

  public static Column bceWithLogitsLoss(
      Column input, Column target, Column weight, double[] posWeight, String reduction) {
    return bceWithLogitsLoss(input, target, weight, PosWeightColumn.of(posWeight), reduction);
  }

  public static Column bceLoss(Column input, Column target) {
    return call("bce_loss", input, target);
  }

  public static Column bceLoss(Column input, Column target, Column weight, String reduction) {
    return call("bce_loss", input, target, weight, lit(reduction));
  }

  public static Column bceWithLogitsLossPerClass(Column input, Column target) {
    return call("bce_with_logits_loss_per_class", input, target);
  }

  public static Column bceWithLogitsLossPerClass(
      Column input, Column target, Column weight, Column posWeight, String reduction) {
    return call(
        "bce_with_logits_loss_per_class", input, target, weight, posWeight, lit(reduction));
  }

  public static Column bceWithLogitsLossPerClass(
      Column input, Column target, Column weight, double[] posWeight, String reduction) {
    return bceWithLogitsLossPerClass(
        input, target, weight, PosWeightColumn.of(posWeight), reduction);
  }

  public static Column bcePosWeight(Column target) {
    return call("bce_pos_weight", target);
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
