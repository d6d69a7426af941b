package io.sparkbce.monitor.alert;

import static io.sparkbce.monitor.alert.Windows.at;
import static io.sparkbce.monitor.alert.Windows.day;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.alert.ChangeRule.Sides;
import io.sparkbce.monitor.alert.ChangeRule.Versus;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule at its boundaries, over small in-memory histories. Values are chosen so that the
 * bounds are exact in binary (mean 2 and σ 1; a reference of 0.5 and 25%): a loss on the bound
 * does not fire, the next double beyond it does.
 */
public class AlertRulesTest {
  private static final String SEG = "model=a";

  @Test
  void thresholdFiresStrictlyAboveAndOnNaN() {
    ThresholdRule rule = new ThresholdRule(0.25);
    assertNull(rule.check(day(1, SEG, 0.25, 10), List.of()));
    Breach b = rule.check(day(1, SEG, Math.nextUp(0.25), 10), List.of());
    assertEquals("threshold", b.kind());
    assertEquals("--alert-above 0.25", b.rule());
    assertEquals(Breach.ABOVE, b.direction());
    assertEquals(0.25, b.bound());
    assertEquals(0.25, b.details().get("threshold"));
    assertTrue(b.message().startsWith("model=a window 2025-06-01T00:00:00Z: loss (mean) "),
        b.message());
    assertEquals(Breach.NOT_A_NUMBER,
        rule.check(day(1, SEG, Double.NaN, 10), List.of()).direction());
  }

  /**
   * Checks that a loss on {@code lower} or {@code upper} does not fire and the next double beyond
   * each does, with that bound and direction; returns the breaches above and below.
   */
  private static Breach[] boundaries(AlertRule rule, List<Metric> earlier, int day, double lower,
      double upper) {
    assertNull(rule.check(day(day, SEG, upper, 10), earlier));
    assertNull(rule.check(day(day, SEG, lower, 10), earlier));
    Breach up = rule.check(day(day, SEG, Math.nextUp(upper), 10), earlier);
    assertEquals(Breach.ABOVE, up.direction());
    assertEquals(upper, up.bound());
    Breach down = rule.check(day(day, SEG, Math.nextDown(lower), 10), earlier);
    assertEquals(Breach.BELOW, down.direction());
    assertEquals(lower, down.bound());
    return new Breach[] {up, down};
  }

  /** Losses 1, 3, 1, 3, 2: mean 2, sample σ exactly 1. */
  private static List<Metric> fiveDays() {
    return List.of(day(1, SEG, 1, 10), day(2, SEG, 3, 10), day(3, SEG, 1, 10),
        day(4, SEG, 3, 10), day(5, SEG, 2, 10));
  }

  @Test
  void baselineFiresStrictlyOutsideMeanPlusMinusKSigmaOfTheLastNWindows() {
    BaselineRule rule = new BaselineRule(5, 1);
    List<Metric> earlier = fiveDays();
    assertEquals(new Alerts.Band(2, 1, 1, 3, 5, 1), rule.band(earlier));
    Breach[] b = boundaries(rule, earlier, 6, 1, 3);
    assertEquals(2.0, b[0].details().get("baseline_mean"));
    assertEquals(1.0, b[0].details().get("baseline_sigma"));
    assertEquals("--baseline-windows 5 --alert-sigma 1", b[0].rule());
    assertTrue(b[1].message().contains("below its lower bound"), b[1].message());
  }

  @Test
  void baselineWaitsForNWindowsAndLeavesNaNLossesOut() {
    BaselineRule rule = new BaselineRule(5, 1);
    assertNull(rule.check(day(5, SEG, 1000, 10), fiveDays().subList(0, 4)), "4 of 5 windows");
    // an older window and a NaN one do not change the band of the last five numbers
    List<Metric> earlier = List.of(day(1, SEG, 50, 10), day(2, SEG, 1, 10), day(3, SEG, 3, 10),
        day(4, SEG, Double.NaN, 10), day(5, SEG, 1, 10), day(6, SEG, 3, 10), day(7, SEG, 2, 10));
    assertEquals(new Alerts.Band(2, 1, 1, 3, 5, 1), rule.band(earlier));
  }

  @Test
  void changeVersusThePreviousWindowFiresStrictlyBeyondBothBounds() {
    ChangeRule both = new ChangeRule(0.25, Sides.BOTH, Versus.PREVIOUS);
    // the previous window is the latest earlier one, not an older one
    List<Metric> earlier = List.of(day(1, SEG, 4.0, 10), day(2, SEG, 0.5, 10));
    Breach[] b = boundaries(both, earlier, 3, 0.375, 0.625);
    assertEquals(0.5, b[0].details().get("reference_loss"));
    assertEquals("2025-06-02T00:00:00Z", b[0].details().get("reference_window_start"));
    assertEquals("--alert-change 25% --alert-change-versus previous", b[0].rule());
    assertEquals(-0.25, (Double) b[1].details().get("change"), 1e-12);

    ChangeRule rise = new ChangeRule(0.25, Sides.RISE, Versus.PREVIOUS);
    assertNull(rise.check(day(3, SEG, 0.1, 10), earlier));
    assertEquals(Breach.ABOVE, rise.check(day(3, SEG, 0.7, 10), earlier).direction());
    assertEquals("--alert-change +25% --alert-change-versus previous", rise.option());
    ChangeRule fall = new ChangeRule(0.25, Sides.FALL, Versus.PREVIOUS);
    assertNull(fall.check(day(3, SEG, 0.7, 10), earlier));
    assertEquals(Breach.BELOW, fall.check(day(3, SEG, 0.1, 10), earlier).direction());
  }

  @Test
  void changeFromAZeroLossHasNoRelativeChangeButStillABound() {
    ChangeRule rule = new ChangeRule(0.25, Sides.BOTH, Versus.PREVIOUS);
    List<Metric> earlier = List.of(day(1, SEG, 0.0, 10));
    assertNull(rule.check(day(2, SEG, 0.0, 10), earlier));
    Breach b = rule.check(day(2, SEG, 1e-9, 10), earlier);
    assertEquals(0.0, b.bound());
    assertNull(b.details().get("change"));
    assertNull(rule.check(day(1, SEG, 1.0, 10), List.of()), "no previous window");
  }

  @Test
  void changeVersusWeekComparesWithTheSameWeekdayAndTimeAWeekBefore() {
    ChangeRule rule = new ChangeRule(0.25, Sides.BOTH, Versus.WEEK);
    // 2025-06-08 (a Sunday) against 2025-06-01 (the Sunday before), not against 2025-06-07
    List<Metric> earlier = List.of(day(1, SEG, 0.5, 10), day(7, SEG, 0.1, 10));
    assertNull(rule.check(day(8, SEG, 0.6, 10), earlier));
    Breach b = rule.check(day(8, SEG, 0.7, 10), earlier);
    assertEquals("2025-06-01T00:00:00Z", b.details().get("reference_window_start"));
    assertEquals(0.625, b.bound());
    assertEquals("week", b.details().get("change_versus"));
    assertTrue(b.message().contains("the same weekday a week before"), b.message());
    // without the window of a week before, no comparison (not a fallback to another window)
    assertNull(rule.check(day(9, SEG, 100, 10), earlier));
    // hourly windows: the same hour a week before
    List<Metric> hours = List.of(at("2025-06-01T10:00:00Z", 1, SEG, 0.5, 10),
        at("2025-06-01T11:00:00Z", 1, SEG, 4.0, 10), at("2025-06-08T09:00:00Z", 1, SEG, 4.0, 10));
    Breach h = rule.check(at("2025-06-08T10:00:00Z", 1, SEG, 0.7, 10), hours);
    assertEquals("2025-06-01T10:00:00Z", h.details().get("reference_window_start"));
  }
}
