package io.sparkbce.monitor.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Round y ticks: steps of 1, 2 or 5 times a power of ten, covering the range, exact labels. */
class TicksTest {
  @Test
  void theRangeOfTheIssueGetsRoundTicks() {
    // the report of issue 15 showed ticks such as 0.09332 and 0.1538 for this range
    Ticks t = Ticks.nice(0.0933, 0.1538, 5, false);
    assertArrayEquals(new String[] {"0.08", "0.10", "0.12", "0.14", "0.16"}, t.labels());
    assertEquals(0.08, t.min());
    assertEquals(0.16, t.max());
  }

  @Test
  void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertArrayEquals(new String[] {"0", "500", "1000", "1500"},
        Ticks.nice(0, 1234, 5, false).labels());
    assertArrayEquals(new String[] {"-1.0", "-0.5", "0.0", "0.5", "1.0"},
        Ticks.nice(-0.93, 0.61, 4, false).labels());
    assertArrayEquals(new String[] {"0.98", "0.99", "1.00", "1.01", "1.02", "1.03"},
        Ticks.nice(0.981, 1.024, 5, false).labels());
    assertArrayEquals(new String[] {"20000", "40000", "60000", "80000", "100000"},
        Ticks.nice(21_000, 99_500, 5, false).labels());
  }

  @Test
  void everyStepIsRoundOverManyRanges() {
    for (double lo : new double[] {-3.7e5, -12.5, 0, 1e-7, 0.0933, 7, 123456}) {
      for (double width : new double[] {1e-6, 0.0605, 0.5, 3, 77, 9.9e4}) {
        Ticks t = Ticks.nice(lo, lo + width, 5, false);
        BigDecimal[] v = t.values();
        BigDecimal step = v[1].subtract(v[0]);
        BigDecimal mantissa = step.movePointLeft(step.precision() - step.scale() - 1)
            .stripTrailingZeros();
        assertTrue(mantissa.compareTo(BigDecimal.ONE) == 0
            || mantissa.compareTo(BigDecimal.valueOf(2)) == 0
            || mantissa.compareTo(BigDecimal.valueOf(5)) == 0, lo + "+" + width + ": " + step);
        for (int i = 1; i < v.length; i++) {
          assertEquals(0, v[i].subtract(v[i - 1]).compareTo(step), "equal steps");
        }
        assertTrue(t.min() <= lo && t.max() >= lo + width, "covers " + lo + "+" + width);
        assertTrue(v.length >= 3 && v.length <= 12, lo + "+" + width + ": " + v.length);
      }
    }
  }

  @Test
  void countsHaveWholeSteps() {
    assertArrayEquals(new String[] {"0", "1", "2", "3"}, Ticks.nice(0, 3, 5, true).labels());
    // all zero (no skipped rows): an axis from 0 to 1, not a division by zero
    assertArrayEquals(new String[] {"0", "1"}, Ticks.nice(0, 0, 5, true).labels());
  }

  @Test
  void aSingleValueGetsARangeAroundIt() {
    Ticks t = Ticks.nice(0.25, 0.25, 5, false);
    assertTrue(t.min() < 0.25 && t.max() > 0.25, t.labels()[0]);
  }
}
