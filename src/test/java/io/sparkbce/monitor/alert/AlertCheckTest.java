package io.sparkbce.monitor.alert;

import static io.sparkbce.monitor.alert.Windows.day;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.monitor.alert.Alerts.Alert;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules applied over histories: the minimum-rows guard and the M-of-N hysteresis. */
public class AlertCheckTest {
  private static AlertOptions options(Double above, int baselineWindows, double sigma) {
    AlertOptions o = AlertOptions.none();
    o.above = above;
    o.baselineWindows = baselineWindows;
    o.sigma = sigma;
    return o;
  }

  private static List<String> days(List<Alert> alerts) {
    return alerts.stream().map(a -> a.metric().windowStart().toInstant().toString()
        .substring(0, 10) + " " + a.kind()).toList();
  }

  @Test
  void aWindowBelowTheMinimumRowsNeitherFiresNorEntersABaselineOrAReference() {
    AlertOptions o = options(50.0, 5, 1);
    o.minRows = 10;
    o.change = new ChangeRule(0.25, ChangeRule.Sides.BOTH, ChangeRule.Versus.PREVIOUS);
    // mean 2, σ 1 over days 1-4 and 6; day 5 has 9 rows and a loss far above everything
    List<Metric> history = new ArrayList<>(List.of(day(1, "s", 1, 10), day(2, "s", 3, 10),
        day(3, "s", 1, 10), day(4, "s", 3, 10), day(5, "s", 100, 9), day(6, "s", 2, 10),
        day(7, "s", 2.5, 10)));
    AlertCheck.Result r = AlertCheck.run(history, history, o);
    assertEquals(List.of(history.get(4)), r.unchecked());
    // day 7: within the band 1..3 of days 1-4 and 6, and +25% of day 6 (not of day 5): no alert
    assertEquals(new Alerts.Band(2, 1, 1, 3, 5, 1), r.bands().get(history.get(6).key()));
    // the change rule fires where it should: day 2 (+200% of day 1), day 3, day 4, day 6 (-33%)
    assertEquals(List.of("2025-06-02 change", "2025-06-03 change", "2025-06-04 change",
        "2025-06-06 change"), days(r.alerts()));
    // exactly at the minimum, the window is checked
    history.set(4, day(5, "s", 100, 10));
    AlertCheck.Result atMin = AlertCheck.run(history, history.subList(4, 5), o);
    assertTrue(atMin.unchecked().isEmpty());
    // (no baseline yet: days 1-4 are 4 windows)
    assertEquals(List.of("2025-06-05 threshold", "2025-06-05 change"), days(atMin.alerts()));
  }

  @Test
  void mOfNFiresOnlyWhenMOfTheLastNCheckedWindowsBreakARule() {
    AlertOptions o = options(1.0, 0, 3);
    o.mOfN = new Hysteresis(2, 3);
    // breaking (loss above 1): days 1, 4, 5, 7; day 6 is below the row guard and is skipped
    double[] losses = {2, 0, 0, 2, 2, 5, 2};
    List<Metric> history = new ArrayList<>();
    for (int d = 1; d <= 7; d++) {
      history.add(day(d, "s", losses[d - 1], d == 6 ? 1 : 10));
    }
    o.minRows = 5;
    AlertCheck.Result r = AlertCheck.run(history, history, o);
    // day 1: 1 of 1; day 4: 1 of the last 3 (2, 3, 4); day 5: 2 of 3 (3, 4, 5);
    // day 7: 3 of 3 (4, 5, 7: day 6 is not a checked window)
    assertEquals(List.of("2025-06-05 threshold", "2025-06-07 threshold"), days(r.alerts()));
    assertEquals(List.of("2025-06-01 threshold", "2025-06-04 threshold"), days(r.held()));
    assertEquals(new Hysteresis.Count(2, 3), r.alerts().get(0).count());
    assertEquals(new Hysteresis.Count(3, 3), r.alerts().get(1).count());
    assertEquals(new Hysteresis.Count(1, 1), r.held().get(0).count());
    assertTrue(r.alerts().get(0).message().endsWith(
        "[2 of the last 3 windows broke a rule; --alert-m-of-n 2/3]"), r.alerts().get(0).message());
    // a run that computed day 5 only: the earlier windows come from the history
    assertEquals(List.of("2025-06-05 threshold"),
        days(AlertCheck.run(history, history.subList(4, 5), o).alerts()));
    // 3/3: day 7 only (days 4, 5 and 7)
    o.mOfN = new Hysteresis(3, 3);
    assertEquals(List.of("2025-06-07 threshold"), days(AlertCheck.run(history, history, o).alerts()));
  }

  @Test
  void onlyTheRunsWindowsFireSegmentsAreApartAndAlertsAreTheRunsObjects() {
    AlertOptions o = options(1.0, 0, 3);
    List<Metric> history = List.of(day(1, "a", 2, 10), day(1, "b", 0, 10), day(2, "a", 0, 10),
        day(2, "b", 2, 10));
    // the run recomputed day 2: its objects, equal in content, are the ones alerts name
    Metric b2 = day(2, "b", 2, 10);
    AlertCheck.Result r = AlertCheck.run(history, List.of(day(2, "a", 0, 10), b2), o);
    assertEquals(1, r.alerts().size());
    assertSame(b2, r.alerts().get(0).metric());
    // M-of-N counts per segment: b's day 1 did not break, a's did
    o.mOfN = new Hysteresis(2, 2);
    assertTrue(AlertCheck.run(history, List.of(b2), o).alerts().isEmpty());
  }
}
