package io.sparkbce.udf;

import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import scala.collection.immutable.Seq;

/** One SQL function of SPEC §3: its unqualified name, its DESCRIBE text, and its builder. */
public interface SqlFunction {
  String name();

  String usage();

  /** Called by the analyzer once the arguments are resolved, so their types are known. */
  Expression build(Seq<Expression> args);

  /** Usage, arguments, examples with results, since and group, as for Spark's built-ins. */
  default ExpressionInfo info() {
    return FunctionDocs.info(this);
  }
}
