package io.sparkbce.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SoftplusTail#log1p}: log1p(e) for e = e^-|x| in [0, 1], from e unrounded. */
class SoftplusTailTest {
  /** 2 ulp of the result, as a relative bound (2^-51). */
  private static final double TWO_ULP = 0x1p-51;

  @Test
  void tinyAndSubnormalArgumentsAreTheirOwnLog1p() {
    // log1p(e) = e - e^2/2 + ...: below 2^-54 the double nearest is e itself, subnormals included
    // (2e/(2 + e) is exact there, where e/2 would drop a subnormal's last bit).
    double[] tiny = {Double.MIN_VALUE, 3 * Double.MIN_VALUE, 0x1.fffffffffffffp-1023,
        Double.MIN_NORMAL, 0x1.3p-700, 0x1p-60, 0x1.fffffffffffffp-55, 0.0};
    for (double e : tiny) {
      assertEquals(Double.doubleToLongBits(e), Double.doubleToLongBits(SoftplusTail.log1p(e)),
          "log1p(" + e + ")");
    }
  }

  @Test
  void withinTwoUlpOfTheTrueValueOnBothSidesOfTheBranch() {
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < 20_000; i++) {
      double e = switch (i % 4) {
        case 0 -> r.nextDouble();
        case 1 -> SoftplusTail.UPPER * (1 + (r.nextDouble() - 0.5) * 1e-6);
        case 2 -> Math.scalb(1 + r.nextDouble(), -r.nextInt(1, 60));
        default -> 1 - Math.scalb(r.nextDouble(), -r.nextInt(1, 50));
      };
      check(e);
    }
    for (double e : new double[] {1.0, 0.5, SoftplusTail.UPPER, Math.nextUp(SoftplusTail.UPPER),
        Math.nextDown(SoftplusTail.UPPER), 0x1p-53, 0x1p-27}) {
      check(e);
    }
  }

  private static void check(double e) {
    BigDecimal ref = HighPrecision.log1p(new BigDecimal(e));
    HighPrecision.assertRelative(ref, SoftplusTail.log1p(e), TWO_ULP, "log1p(" + e + ")");
  }
}
