package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.ObjectType;
import scala.reflect.ClassTag$;

/**
 * A Java {@code double[]} pos_weight as a Column. Up to {@link #BROADCAST_FROM} classes it is a
 * literal array in the plan (shipped with each task, read in place, never re-parsed per row). From
 * there on it is a Spark broadcast, fetched once per executor and turned into Spark's array form
 * once per task.
 */
public final class PosWeightColumn implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int BROADCAST_FROM = 4096;

  private final Broadcast<double[]> values;
  private transient ArrayData cached;

  private PosWeightColumn(Broadcast<double[]> values) {
    this.values = values;
  }

  public static Column of(double[] posWeight) {
    if (posWeight == null) {
      return functions.lit(null);
    }
    if (posWeight.length < BROADCAST_FROM) {
      return functions.lit(posWeight);
    }
    SparkSession spark = SparkSession.active();
    Broadcast<double[]> b = spark.sparkContext()
        .broadcast(posWeight.clone(), ClassTag$.MODULE$.apply(double[].class));
    PosWeightColumn handle = new PosWeightColumn(b);
    // Not deterministic, so that constant folding leaves the broadcast in place instead of
    // folding the whole array back into the plan.
    return ExpressionUtils.column(StaticCall.nondeterministic(
        PosWeightColumn.class, DataTypes.createArrayType(DataTypes.DoubleType, false), "value",
        Literal.create(handle, new ObjectType(PosWeightColumn.class))));
  }

  public static ArrayData value(PosWeightColumn handle) {
    if (handle.cached == null) {
      handle.cached = UnsafeArrayData.fromPrimitiveArray(handle.values.value());
    }
    return handle.cached;
  }
}
