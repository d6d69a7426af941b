package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.alert.Alerts.Band;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --baseline-windows N --alert-sigma K}: a window's loss outside mean ± K·σ of the N
 * previous checked windows of its segment (σ the sample standard deviation; windows with a NaN
 * loss are left out of the baseline). The rule judges a window only once N such windows exist.
 */
public record BaselineRule(int windows, double k) implements AlertRule {
  @Override
  public String kind() {
    return "baseline";
  }

  @Override
  public String option() {
    return "--baseline-windows " + windows + " --alert-sigma " + Alerts.plain(k);
  }

  /** The band of a window whose segment's earlier checked windows are {@code earlier}; or null. */
  public Band band(List<Metric> earlier) {
    List<Double> last = new ArrayList<>();
    for (int i = earlier.size() - 1; i >= 0 && last.size() < windows; i--) {
      Double loss = earlier.get(i).loss();
      if (loss != null && !loss.isNaN()) {
        last.add(loss);
      }
    }
    if (last.size() < windows) {
      return null;
    }
    double mean = 0;
    for (double v : last) {
      mean += v;
    }
    mean /= windows;
    double ss = 0;
    for (double v : last) {
      ss += (v - mean) * (v - mean);
    }
    double sigma = Math.sqrt(ss / (windows - 1));
    return new Band(mean, sigma, mean - k * sigma, mean + k * sigma, windows, k);
  }

  @Override
  public Breach check(Metric window, List<Metric> earlier) {
    Band band = band(earlier);
    return band == null ? null : breach(window, band);
  }

  /** The breach of {@code band} by {@code window}'s loss, or null if it is within. */
  public Breach breach(Metric window, Band band) {
    double loss = window.loss();
    String direction;
    double bound;
    if (Double.isNaN(loss)) {
      direction = Breach.NOT_A_NUMBER;
      bound = band.upper();
    } else if (loss > band.upper()) {
      direction = Breach.ABOVE;
      bound = band.upper();
    } else if (loss < band.lower()) {
      direction = Breach.BELOW;
      bound = band.lower();
    } else {
      return null;
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("baseline_windows", band.windows());
    details.put("alert_sigma", band.k());
    details.put("baseline_mean", band.mean());
    details.put("baseline_sigma", band.sigma());
    details.put("lower", band.lower());
    details.put("upper", band.upper());
    String side = switch (direction) {
      case Breach.ABOVE -> ", above its upper bound " + Alerts.fmt(band.upper());
      case Breach.BELOW -> ", below its lower bound " + Alerts.fmt(band.lower());
      default -> "";
    };
    return new Breach(kind(), option(), direction, bound, details, Alerts.what(window)
        + " is outside the baseline" + side + " (band " + Alerts.fmt(band.lower()) + " .. "
        + Alerts.fmt(band.upper()) + ": mean " + Alerts.fmt(band.mean()) + " ± "
        + Alerts.plain(band.k()) + "·σ, σ " + Alerts.fmt(band.sigma()) + ", previous "
        + band.windows() + " windows)");
  }
}
