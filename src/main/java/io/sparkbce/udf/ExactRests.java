package io.sparkbce.udf;

import io.sparkbce.loss.Rests;
import org.apache.spark.sql.internal.SQLConf;

/**
 * {@code spark.sparkbce.reduction.exactRests}: when true, the aggregates bound in this session
 * sum each element with its double-double rest ({@link Rests#DOUBLE_DOUBLE}, tier 2 for every
 * element: slower) instead of tier 1's ({@link Rests#TABLE}). The jobs set it to run again a
 * reduction that tier 1's rests could not decide (see README, "Reductions").
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
