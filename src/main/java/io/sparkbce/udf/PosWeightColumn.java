package io.sparkbce.udf;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.functions;
import scala.reflect.ClassTag$;

/**
 * A Java {@code double[]} pos_weight as a Column. Below {@link #BROADCAST_FROM} classes it is a
 * literal array in the plan (shipped with each task, read in place, never re-parsed per row). From
 * there on it is a Spark broadcast ({@link BroadcastPosWeight}), fetched once per executor.
 */
public final class PosWeightColumn {
  public static final int BROADCAST_FROM = 4096;

  private PosWeightColumn() {}

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
    return ExpressionUtils.column(new BroadcastPosWeight(b, posWeight.length));
  }
}
