package io.sparkbce.monitor.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.TerminalText;
import io.sparkbce.job.TextTable;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Alerts of {@code monitor}: the records of fired alerts, and the formatting the rules share. The
 * rules are {@link ThresholdRule}, {@link BaselineRule} and {@link ChangeRule}; {@link AlertCheck}
 * applies them with the {@code --alert-min-rows} guard and the {@link Hysteresis}; {@link
 * AlertLog} keeps {@code alerts.jsonl}; {@link Webhook} posts them.
 */
public final class Alerts {
  static final ObjectMapper JSON = TerminalText.jsonMapper(false)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  private Alerts() {}

  /** The baseline band of a window: mean and σ of the previous N windows of its segment. */
  public record Band(double mean, double sigma, double lower, double upper, int windows, double k) {}

  /**
   * A fired (or, in {@link AlertCheck.Result#held}, held) alert: the window, the bound it broke
   * and, with {@code --alert-m-of-n}, how many of its segment's last windows broke a rule.
   */
  public record Alert(Metric metric, Breach breach, Hysteresis mOfN, Hysteresis.Count count) {
    public String kind() {
      return breach.kind();
    }

    public String message() {
      return breach.message() + (mOfN == null ? "" : " [" + count.breaking() + " of the last "
          + count.windows() + " windows broke a rule; " + mOfN.option() + "]");
    }

    /** The alert as a record of {@code alerts.jsonl} and of the webhook's payload. */
    ObjectNode json(String detectedAt) {
      ObjectNode o = JSON.createObjectNode();
      o.put("detected_at", detectedAt);
      o.put("kind", breach.kind());
      o.put("rule", breach.rule());
      o.put("window_start", metric.windowStart().toInstant().toString());
      o.put("window_end", metric.windowEnd().toInstant().toString());
      o.put("segment", metric.segment());
      o.put("reduction", metric.reduction());
      o.put("loss", metric.loss());
      o.put("rows_used", metric.rowsUsed());
      o.put("direction", breach.direction());
      o.put("bound", breach.bound());
      for (Map.Entry<String, Object> d : breach.details().entrySet()) {
        o.set(d.getKey(), JSON.valueToTree(d.getValue()));
      }
      if (mOfN != null) {
        o.put("m_of_n", mOfN.m() + "/" + mOfN.n());
        o.put("windows_breaking", count.breaking());
      }
      o.put("message", message());
      return o;
    }
  }

  public static String fmt(double d) {
    return TextTable.number(d);
  }

  /** A number as an option's value is written: 0.3, 25, 3. */
  static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** The start of every alert message: segment, window and loss. */
  static String what(Metric m) {
    return m.segment() + " window " + m.windowStart().toInstant() + ": loss (" + m.reduction()
        + ") " + fmt(m.loss());
  }
}
