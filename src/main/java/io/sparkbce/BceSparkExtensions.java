package io.sparkbce;

import io.sparkbce.udf.BceFunctionRegistry;
import io.sparkbce.udf.ColumnarAggregateRule;
import io.sparkbce.udf.ExecutorJarCheck;
import io.sparkbce.udf.SqlFunction;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.analysis.FunctionRegistry;
import scala.Tuple3;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.sparkbce.BceSparkExtensions}: the SQL functions as built-ins of
 * every session the application creates, spark-sql CLI and Thrift server included (permanent views
 * may call them); and the
 * columnar partial aggregation of those functions ({@link ColumnarAggregateRule}); on a cluster, a
 * check that the executors have the jar before the first query using them ({@link
 * ExecutorJarCheck}).
 */
public final class BceSparkExtensions implements scala.Function1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (SqlFunction f : BceFunctionRegistry.FUNCTIONS) {
      FunctionIdentifier id = new FunctionIdentifier(f.name());
      extensions.injectFunction(new Tuple3<>(id, f.info(), f::build));
      // Also a built-in for Spark's catalog: functions injected only into the session's registry
      // count as temporary, and a permanent view may not call a temporary function
      // (INVALID_TEMP_OBJ_REFERENCE). Idempotent; sessions of this JVM without the extension
      // then resolve the names too.
      FunctionRegistry.builtin().registerFunction(id, f.info(), f::build);
    }
    extensions.injectColumnar(session -> ColumnarAggregateRule.columnarRule());
    extensions.injectCheckRule(ExecutorJarCheck::rule);
    return BoxedUnit.UNIT;
  }
}
