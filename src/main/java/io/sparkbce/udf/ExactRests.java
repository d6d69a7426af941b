package io.sparkbce.udf;

import io.sparkbce.loss.Rests;
import org.apache.spark.sql.internal.SQLConf;

/**
 * {@code spark.sparkbce.reduction.exactRests}: when true, the aggregates bound in this session
 * sum each element with its double-double rest ({@link Rests#DOUBLE_DOUBLE}, tier 2 for every
 * element: slower) instead of tier 1's ({@link Rests#TABLE}). A user setting: with tier 1's rests
 * a reduction is the correctly rounded true value unless that value lies within about 2^-66
 * (relative) of a rounding boundary, and then it is within 1 ulp (README, "Decisions"); with
 * exact rests that margin is about 2^-89. No job sets it.
 */
public final class ExactRests {
  public static final String KEY = "spark.sparkbce.reduction.exactRests";

  private ExactRests() {}

  /** The session's setting, read where a call is bound (the driver). */
  static Rests current() {
    return Boolean.parseBoolean(SQLConf.get().getConfString(KEY, "false"))
        ? Rests.DOUBLE_DOUBLE : Rests.TABLE;
  }
}
