package io.sparkbce.udf;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.functions;

/**
 * The seven functions of SPEC §3, the quality metrics (normalized entropy, calibration), and the
 * two ways they get into a session's function registry.
 */
public final class BceFunctionRegistry {
  public static final List<SqlFunction> FUNCTIONS = List.of(
      new BceWithLogitsFunction(),
      new BceFunction(),
      new BceWithLogitsGradFunction(),
      new BceWithLogitsLossFunction(),
      new BceLossFunction(),
      new BceWithLogitsLossPerClassFunction(),
      new BcePosWeightFunction(),
      new BceNormalizedEntropyFunction(),
      new BceCalibrationFunction());

  private BceFunctionRegistry() {}

  /** Registers all functions as built-ins of one session (unqualified names, every database). */
  public static void register(SparkSession spark) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    for (SqlFunction f : FUNCTIONS) {
      registry.registerFunction(new FunctionIdentifier(f.name()), f.info(), f::build);
    }
  }

  /**
   * A call of an internal function (not in {@link #FUNCTIONS}), registered in this session under
   * its name on first use; a null argument is SQL's NULL (an optional argument skipped).
   */
  static Column callInternal(SparkSession spark, SqlFunction f, Column... args) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    FunctionIdentifier id = new FunctionIdentifier(f.name());
    if (!registry.functionExists(id)) {
      registry.registerFunction(id, f.info(), f::build);
    }
    Column[] cols = new Column[args.length];
    for (int i = 0; i < args.length; i++) {
      cols[i] = args[i] == null ? functions.lit(null) : args[i];
    }
    return functions.call_function(f.name(), cols);
  }

  /** Whether this session already knows the functions (by extension or by {@link #register}). */
  public static boolean isRegistered(SparkSession spark) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    return FUNCTIONS.stream()
        .allMatch(f -> registry.functionExists(new FunctionIdentifier(f.name())));
  }
}
