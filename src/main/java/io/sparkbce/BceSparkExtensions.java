package io.sparkbce;

import io.sparkbce.udf.BceFunctionRegistry;
import io.sparkbce.udf.ColumnarAggregateRule;
import io.sparkbce.udf.SqlFunction;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import scala.Tuple3;
import scala.runtime.BoxedUnit;

/**
 * {@code spark.sql.extensions=io.sparkbce.BceSparkExtensions}: the SQL functions as built-ins of
 * every session the application creates, spark-sql CLI and Thrift server included; and the
 * columnar partial aggregation of those functions ({@link ColumnarAggregateRule}).
 */
public final class BceSparkExtensions implements scala.Function1<SparkSessionExtensions, BoxedUnit> {
  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    for (SqlFunction f : BceFunctionRegistry.FUNCTIONS) {
      extensions.injectFunction(new Tuple3<>(new FunctionIdentifier(f.name()), f.info(), f::build));
    }
    extensions.injectColumnar(session -> ColumnarAggregateRule.columnarRule());
    return BoxedUnit.UNIT;
  }
}
