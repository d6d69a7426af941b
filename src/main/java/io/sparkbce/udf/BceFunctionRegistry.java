package io.sparkbce.udf;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;

/** The seven functions of SPEC §3 and the two ways they get into a session's function registry. */
public final class BceFunctionRegistry {
  public static final List<SqlFunction> FUNCTIONS = List.of(
      new BceWithLogitsFunction(),
      new BceFunction(),
      new BceWithLogitsGradFunction(),
      new BceWithLogitsLossFunction(),
      new BceLossFunction(),
      new BceWithLogitsLossPerClassFunction(),
      new BcePosWeightFunction());

  private BceFunctionRegistry() {}

  /** Registers all functions as built-ins of one session (unqualified names, every database). */
  public static void register(SparkSession spark) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    for (SqlFunction f : FUNCTIONS) {
      registry.registerFunction(new FunctionIdentifier(f.name()), f.info(), f::build);
    }
  }

  /** Whether this session already knows the functions (by extension or by {@link #register}). */
  public static boolean isRegistered(SparkSession spark) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    return FUNCTIONS.stream()
        .allMatch(f -> registry.functionExists(new FunctionIdentifier(f.name())));
  }
}
