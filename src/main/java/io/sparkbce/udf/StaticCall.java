package io.sparkbce.udf;

import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.objects.StaticInvoke;
import org.apache.spark.sql.types.AbstractDataType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A call of a public static Java method that Spark compiles straight into its generated code, with
 * primitive arguments unboxed: the path Iceberg's "magic invoke" functions take. Any NULL argument
 * makes the result NULL without calling the method.
 */
final class StaticCall {
  private StaticCall() {}

  static Expression of(Class<?> owner, DataType result, String method, Expression... args) {
    return invoke(owner, result, method, true, args);
  }

  /** As {@link #of}, shown (and naming its result column) as {@code call}. */
  static Expression named(
      String call, Class<?> owner, DataType result, String method, Expression... args) {
    return new NamedStaticInvoke(call, owner, result, method, LossCall.seq(args),
        CollectionConverters.asScala(List.<AbstractDataType>of()).toSeq(), true, false, true);
  }

  /** Never constant-folded, even over literal arguments. */
  static Expression nondeterministic(
      Class<?> owner, DataType result, String method, Expression... args) {
    return invoke(owner, result, method, false, args);
  }

  private static Expression invoke(
      Class<?> owner, DataType result, String method, boolean deterministic, Expression... args) {
    return new StaticInvoke(
        owner, result, method, LossCall.seq(args),
        CollectionConverters.asScala(List.<AbstractDataType>of()).toSeq(),
        true, false, deterministic, Option.empty());
  }

  /** The call's text, passed along so that run-time errors can name the function and columns. */
  static Expression context(FunctionContext ctx) {
    return Literal.create(UTF8String.fromString(ctx.call()), DataTypes.StringType);
  }
}
