package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --alert-above X}: a window's loss above X (strictly), or NaN. */
public record ThresholdRule(double above) implements AlertRule {
  @Override
  public String kind() {
    return "threshold";
  }

  @Override
  public String option() {
    return "--alert-above " + Alerts.plain(above);
  }

  @Override
  public Breach check(Metric window, List<Metric> earlier) {
    double loss = window.loss();
    boolean nan = Double.isNaN(loss);
    if (!nan && !(loss > above)) {
      return null;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("threshold", above);
    return new Breach(kind(), option(), nan ? Breach.NOT_A_NUMBER : Breach.ABOVE, above, details,
        Alerts.what(window) + " is above --alert-above " + Alerts.fmt(above));
  }
}
