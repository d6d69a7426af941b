package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.List;

/**
 * One alert rule over the loss of a window of one segment. A rule sees the window and the
 * segment's earlier checked windows (those with a loss that passed {@code --alert-min-rows}),
 * oldest first, and says which bound the window breaks, if any.
 */
public interface AlertRule {
  /** The rule's name in alert records ({@code kind}) and in the table's alert column. */
  String kind();

  /** How the rule was asked for, as options: {@code --alert-above 0.3}. */
  String option();

  /**
   * The bound {@code window} breaks, or null when it breaks none or when the rule cannot judge it
   * yet (too few earlier windows, no reference window). {@code window.loss()} is not null.
   */
  Breach check(Metric window, List<Metric> earlier);
}
