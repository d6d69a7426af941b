package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.alert.Alerts.Alert;
import io.sparkbce.monitor.alert.Alerts.Band;
import io.sparkbce.monitor.history.MetricHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies the alert rules to the windows of a run, each against the earlier windows of its
 * segment in the history. A window is checked when it has a loss and at least {@code
 * --alert-min-rows} used rows; a window below the guard neither fires nor serves any later window
 * (baseline, change reference, M-of-N count). Only the windows computed in the run fire; earlier
 * ones are judged again with today's rules for the baselines and the M-of-N count.
 */
public final class AlertCheck {
  private AlertCheck() {}

  /**
   * What the rules found: {@code alerts} fired (by window, segment, then rule); {@code held} broke
   * a rule but were held back by {@code --alert-m-of-n}; {@code unchecked} the run's windows below
   * {@code --alert-min-rows}; {@code bands} the baseline band of every window that has one (by
   * {@link Metric#key}), for the report.
   */
  public record Result(List<Alert> alerts, List<Alert> held, List<Metric> unchecked,
      Map<String, Band> bands) {}

  /** Checks the windows {@code computed} (a part of {@code history}) with the rules of {@code o}. */
  public static Result run(List<Metric> history, List<Metric> computed, AlertOptions o) {
    Map<String, Metric> toCheck = new HashMap<>();
    for (Metric m : computed) {
      toCheck.put(m.key(), m);
    }
    Map<String, List<Metric>> bySegment = new LinkedHashMap<>();
    List<Metric> ordered = new ArrayList<>(history);
    ordered.sort(MetricHistory.ORDER);
    for (Metric m : ordered) {
      // the run's own objects, so that callers can match alerts to the windows they computed
      bySegment.computeIfAbsent(m.segment(), s -> new ArrayList<>())
          .add(toCheck.getOrDefault(m.key(), m));
    }
    List<AlertRule> rules = o.rules();
    BaselineRule baseline = o.baseline();
    Result r = new Result(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
        new HashMap<>());
    for (List<Metric> windows : bySegment.values()) {
      List<Metric> checked = new ArrayList<>();
      Deque<Boolean> recent = new ArrayDeque<>();
      for (Metric w : windows) {
        if (baseline != null) {
          Band band = baseline.band(checked);
          if (band != null) {
            r.bands().put(w.key(), band);
          }
        }
        if (w.loss() == null) {
          continue;
        }
        boolean mine = toCheck.containsKey(w.key());
        if (w.rowsUsed() < o.minRows) {
          if (mine) {
            r.unchecked().add(w);
          }
          continue;
        }
        List<Breach> breaches = new ArrayList<>();
        for (AlertRule rule : rules) {
          Breach b = rule.check(w, Collections.unmodifiableList(checked));
          if (b != null) {
            breaches.add(b);
          }
        }
        checked.add(w);
        if (o.mOfN != null) {
          recent.addLast(!breaches.isEmpty());
          if (recent.size() > o.mOfN.n()) {
            recent.removeFirst();
          }
        }
        if (!mine || breaches.isEmpty()) {
          continue;
        }
        Hysteresis.Count count = o.mOfN == null ? null : new Hysteresis.Count(
            (int) recent.stream().filter(Boolean::booleanValue).count(), recent.size());
        List<Alert> into = count == null || o.mOfN.fires(count) ? r.alerts() : r.held();
        for (Breach b : breaches) {
          into.add(new Alert(w, b, o.mOfN, count));
        }
      }
    }
    // by window then segment; a window's alerts stay in rule order (the sort is stable)
    Comparator<Alert> order = Comparator.comparing(Alert::metric, MetricHistory.ORDER);
    r.alerts().sort(order);
    r.held().sort(order);
    r.unchecked().sort(MetricHistory.ORDER);
    return r;
  }
}
