package io.sparkbce.udf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.loss.ElementQuantity;
import io.sparkbce.loss.HighPrecision;
import io.sparkbce.loss.LossAccumulator;
import io.sparkbce.loss.Reduction;
import io.sparkbce.loss.Rests;
import io.sparkbce.testing.TestSpark;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The undecided path of a reduction through SQL: a logit whose loss lies so close to a rounding
 * boundary that tier 1's rests cannot decide a one-row mean. Without the setting the aggregate
 * returns a faithful rounding; with {@code spark.sparkbce.reduction.exactRests=true} it returns
 * the correctly rounded value of a 64-digit reference.
 */
class ExactRestsTest {
  private final SparkSession spark = TestSpark.session();

  /**
   * A logit (target 1, weight 1) whose one-element mean tier 1's rests leave undecided (about
   * 2^-13 of logits; its faithful result is almost always the correctly rounded one anyway, since
   * tier 1's actual error is far below its bound, so SQL cannot show the difference).
   */
  private static double undecidedLogit() {
    SplittableRandom r = new SplittableRandom(17);
    double[] pair = new double[2];
    for (int i = 0; i < 2_000_000; i++) {
      double x = r.nextDouble(-8, 8);
      ElementQuantity.WITH_LOGITS.apply(x, 1.0, 1.0, 1.0, Rests.TABLE, pair);
      LossAccumulator a = new LossAccumulator(false);
      a.add(pair[0], pair[1], 1.0);
      if (!a.decided(Reduction.MEAN)) {
        return x;
      }
    }
    throw new AssertionError("no undecided logit found");
  }

  private double sqlMean(double x) {
    return spark.sql("SELECT bce_with_logits_loss(x, 1D) FROM VALUES (" + Double.toString(x)
        + "D) AS t(x)").first().getDouble(0);
  }

  @Test
  void anUndecidedReductionIsFaithfulAndExactRestsDecideIt() {
    double x = undecidedLogit();
    double reference = HighPrecision.round(HighPrecision.loss(x, 1.0, 1.0, 1.0));
    double faithful = sqlMean(x);
    assertTrue(Math.abs(faithful - reference) <= Math.ulp(reference),
        "within 1 ulp of " + reference + ": " + faithful);
    spark.conf().set(ExactRests.KEY, "true");
    try {
      assertEquals(reference, sqlMean(x), "x = " + x);
    } finally {
      spark.conf().unset(ExactRests.KEY);
    }
    // The state's own decision with double-double rests agrees.
    double[] pair = new double[2];
    ElementQuantity.WITH_LOGITS.apply(x, 1.0, 1.0, 1.0, Rests.DOUBLE_DOUBLE, pair);
    LossAccumulator fine = new LossAccumulator(false);
    fine.rests(Rests.DOUBLE_DOUBLE);
    fine.add(pair[0], pair[1], 1.0);
    assertTrue(fine.decided(Reduction.MEAN));
  }
}
