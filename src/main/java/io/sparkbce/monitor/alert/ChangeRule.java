package io.sparkbce.monitor.alert;

import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --alert-change P% [--alert-change-versus previous|week]}: a window's loss changed by more
 * than P (strictly) relative to a reference window of the same segment, the loss r of: the latest
 * earlier checked window ({@link Versus#PREVIOUS}), or the checked window that started exactly 7
 * days earlier ({@link Versus#WEEK}: the same weekday and time of day, in UTC). The bounds are
 * r·(1 + P) and r·(1 − P); {@link Sides} says which of them count ({@code +P%} rises only,
 * {@code -P%} falls only, {@code P%} both). No reference window (or one with a NaN loss): the rule
 * does not judge the window.
 */
public record ChangeRule(double limit, Sides sides, Versus versus) implements AlertRule {
  static final long WEEK_MILLIS = 7L * 24 * 3600 * 1000;

  /** Which reference window. */
  public enum Versus {
    PREVIOUS("the previous window"), WEEK("the same weekday a week before");

    final String said;

    Versus(String said) {
      this.said = said;
    }

    String option() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which direction of change counts. */
  public enum Sides {
    BOTH(""), RISE("+"), FALL("-");

    final String sign;

    Sides(String sign) {
      this.sign = sign;
    }
  }

  @Override
  public String kind() {
    return "change";
  }

  @Override
  public String option() {
    return "--alert-change " + sides.sign + Alerts.plain(limit * 100) + "% --alert-change-versus "
        + versus.option();
  }

  /** The window {@code window}'s loss is compared with, among {@code earlier}; or null. */
  public Metric reference(Metric window, List<Metric> earlier) {
    long wanted = window.windowStart().getTime() - WEEK_MILLIS;
    for (int i = earlier.size() - 1; i >= 0; i--) {
      Metric e = earlier.get(i);
      long start = e.windowStart().getTime();
      if (versus == Versus.WEEK && start < wanted) {
        return null;
      }
      if ((versus == Versus.PREVIOUS || start == wanted) && e.loss() != null
          && !e.loss().isNaN()) {
        return e;
      }
    }
    return null;
  }

  @Override
  public Breach check(Metric window, List<Metric> earlier) {
    Metric ref = reference(window, earlier);
    if (ref == null) {
      return null;
    }
    double loss = window.loss();
    double r = ref.loss();
    double upper = r * (1 + limit);
    double lower = r * (1 - limit);
    String direction;
    double bound;
    if (Double.isNaN(loss)) {
      direction = Breach.NOT_A_NUMBER;
      bound = upper;
    } else if (sides != Sides.FALL && loss > upper) {
      direction = Breach.ABOVE;
      bound = upper;
    } else if (sides != Sides.RISE && loss < lower) {
      direction = Breach.BELOW;
      bound = lower;
    } else {
      return null;
    }
    // relative change; undefined (null) from a reference loss of 0
    Double change = r == 0 ? null : (loss - r) / r;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("change_limit", limit);
    details.put("change_sides", sides.name().toLowerCase(Locale.ROOT));
    details.put("change_versus", versus.option());
    details.put("reference_window_start", ref.windowStart().toInstant().toString());
    details.put("reference_loss", r);
    details.put("change", change);
    String moved = direction.equals(Breach.NOT_A_NUMBER) ? "is NaN"
        : (direction.equals(Breach.ABOVE) ? "is above " : "is below ") + Alerts.fmt(bound)
            + (change == null ? "" : String.format(Locale.ROOT, " (%+.2f%%)", change * 100));
    return new Breach(kind(), option(), direction, bound, details, Alerts.what(window) + " "
        + moved + ": changed by more than " + Alerts.plain(limit * 100) + "% from "
        + Alerts.fmt(r) + ", the loss of " + versus.said + " (" + ref.windowStart().toInstant()
        + "; " + option() + ")");
  }
}
