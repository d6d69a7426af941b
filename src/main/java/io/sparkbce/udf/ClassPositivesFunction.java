package io.sparkbce.udf;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.functions;
import scala.collection.immutable.Seq;

/**
 * The exact sum of the targets per class (innermost index) as one ARRAY&lt;DOUBLE&gt; aggregate:
 * {@code monitor}'s positives per class, one aggregate whatever the number of classes (a
 * {@code sum()} per class makes plans that Catalyst cannot optimise at 100,000 classes). Not one of
 * SPEC's functions: registered under an internal name in the sessions that use it.
 */
public final class ClassPositivesFunction implements SqlFunction {
  static final String NAME = "_bce_class_positives";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String usage() {
    return "_FUNC_(target) - internal to spark-bce monitor: the sum of the targets per class.";
  }

  @Override
  public Expression build(Seq<Expression> args) {
    LossCall call = LossCall.targetOnly(NAME, args);
    return RowAggregate.expression(new PosWeightAggregate(NAME, call, true), call);
  }

  /** The aggregate over {@code target} (NULL rows skipped; NULL when no row has classes). */
  public static Column of(SparkSession spark, Column target) {
    FunctionRegistry registry =
        ((org.apache.spark.sql.classic.SparkSession) spark).sessionState().functionRegistry();
    FunctionIdentifier id = new FunctionIdentifier(NAME);
    if (!registry.functionExists(id)) {
      ClassPositivesFunction f = new ClassPositivesFunction();
      registry.registerFunction(id, f.info(), f::build);
    }
    return functions.call_function(NAME, target);
  }
}
