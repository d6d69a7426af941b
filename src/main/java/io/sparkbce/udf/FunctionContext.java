package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import scala.collection.immutable.Map.Map1;

/**
 * The call being analysed or run, e.g. {@code bce_with_logits(logits, labels)}: every error message
 * starts with it, so a failure at row three billion still says which function and which columns.
 */
public final class FunctionContext implements Serializable {
  private static final long serialVersionUID = 1L;
  private final String call;
  private final String display;

  FunctionContext(String function, scala.collection.immutable.Seq<Expression> args) {
    StringBuilder b = new StringBuilder(function).append('(');
    for (int i = 0; i < args.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(shown(args.apply(i)));
    }
    this.call = b.append(')').toString();
    StringBuilder d = new StringBuilder(function).append('(');
    for (int i = 0; i < args.size(); i++) {
      d.append(i == 0 ? "" : ", ")
          .append(org.apache.spark.sql.catalyst.util.package$.MODULE$.toPrettySQL(args.apply(i),
              false));
    }
    this.display = d.append(')').toString();
  }

  /** The call as Spark shows built-ins, {@code log1p(x)}: the name of an unaliased result. */
  String display() {
    return display;
  }

  /** A column by the name the user wrote, anything else as SQL. */
  static String shown(Expression e) {
    return e instanceof NamedExpression ? ((NamedExpression) e).name() : e.sql();
  }

  FunctionContext(String call) {
    this.call = call;
    this.display = call;
  }

  String call() {
    return call;
  }

  /**
   * Throws Spark's AnalysisException (checked in Java, not in Scala, where the analyzer expects
   * it); declared to return so that call sites can say {@code throw ctx.analysisError(...)}.
   */
  RuntimeException analysisError(String message) {
    // A message-only error condition: Spark 4 has no public constructor for free text.
    throw FunctionContext.<RuntimeException>rethrow(new AnalysisException(
        "_LEGACY_ERROR_TEMP_3071", new Map1<>("msg", call + ": " + message)));
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E rethrow(Throwable t) throws E {
    throw (E) t;
  }

  IllegalArgumentException runtimeError(String message) {
    return new IllegalArgumentException(call + ": " + message);
  }

  @Override
  public String toString() {
    return call;
  }
}
