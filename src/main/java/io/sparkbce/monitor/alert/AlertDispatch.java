package io.sparkbce.monitor.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.TerminalText;
import io.sparkbce.monitor.alert.Alerts.Alert;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * The alerts of one run, sent: appended to {@code alerts.jsonl}, then (the new ones) posted to
 * the webhook, whose outcome is recorded in their lines; then told on stdout, and a failed
 * delivery on stderr too. A failed delivery loses nothing and does not change the exit code.
 */
public final class AlertDispatch {
  /** At most this many alert messages in the webhook's text (all are in its {@code alerts}). */
  static final int TEXT_LINES = 20;

  private final AlertCheck.Result result;
  private final AlertOptions options;
  private final String path;
  private final int written;
  private final Webhook webhook;
  private final Webhook.Delivery delivery;

  private AlertDispatch(AlertCheck.Result result, AlertOptions options, String path, int written,
      Webhook webhook, Webhook.Delivery delivery) {
    this.result = result;
    this.options = options;
    this.path = path;
    this.written = written;
    this.webhook = webhook;
    this.delivery = delivery;
  }

  /** Records the alerts of {@code r} in {@code path} and posts the new ones. */
  public static AlertDispatch send(Configuration conf, String path, AlertCheck.Result r,
      AlertOptions o, String input) {
    Webhook webhook = o.webhook == null ? null : new Webhook(o.webhook, o.webhookTimeout);
    List<ObjectNode> added = AlertLog.append(conf, path, r.alerts(), webhook != null);
    Webhook.Delivery d = null;
    if (webhook != null && !added.isEmpty()) {
      d = webhook.post(payload(input, added));
      AlertLog.recordDelivery(conf, path, added, d);
    }
    return new AlertDispatch(r, o, path, added.size(), webhook, d);
  }

  /**
   * The webhook's JSON: {@code text} for people (Slack's field: its control characters {@code &},
   * {@code <}, {@code >} escaped, so a segment value cannot ping a channel) and the records.
   */
  static String payload(String input, List<ObjectNode> records) {
    StringBuilder text = new StringBuilder("spark-bce monitor " + input + ": " + records.size()
        + " alert" + (records.size() == 1 ? "" : "s") + " fired");
    for (int i = 0; i < records.size() && i < TEXT_LINES; i++) {
      text.append("\n• ").append(records.get(i).path("message").asText());
    }
    if (records.size() > TEXT_LINES) {
      text.append("\n… and ").append(records.size() - TEXT_LINES).append(" more (in alerts)");
    }
    ObjectNode o = Alerts.JSON.createObjectNode();
    o.put("text", text.toString().replace("&", "&amp;").replace("<", "&lt;")
        .replace(">", "&gt;"));
    for (ObjectNode r : records) {
      // the delivery is the webhook's own outcome, not part of what it is told
      o.withArray("alerts").add(r.deepCopy().without(AlertLog.DELIVERY));
    }
    try {
      return Alerts.JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The alert lines of the run's output, after its table; a failed delivery also on {@code err}. */
  public void print(PrintStream out, PrintStream err) {
    List<Alert> alerts = result.alerts();
    String file = TerminalText.escape(path);
    if (alerts.isEmpty()) {
      out.println("alerts: none");
    } else {
      out.println("ALERT: " + alerts.size() + " alert" + (alerts.size() == 1 ? "" : "s")
          + " fired (" + (written == alerts.size() ? "written to " + file
              : written + " new written to " + file + ", " + (alerts.size() - written)
                  + " already there") + "):");
      messages(out, alerts);
    }
    if (!result.held().isEmpty()) {
      out.println("held by " + options.mOfN.option() + " (broke a rule, not fired): "
          + result.held().size());
      messages(out, result.held());
    }
    List<Metric> unchecked = result.unchecked();
    if (!unchecked.isEmpty()) {
      out.println("not checked (fewer than " + options.minRows + " rows used, --alert-min-rows): "
          + unchecked.size() + " window" + (unchecked.size() == 1 ? "" : "s"));
      for (Metric m : unchecked) {
        out.println("  " + TerminalText.escape(m.segment()) + " window "
            + m.windowStart().toInstant() + ": " + m.rowsUsed() + " rows used");
      }
    }
    if (delivery != null && delivery.delivered()) {
      out.println("webhook: " + written + " alert" + (written == 1 ? "" : "s") + " delivered to "
          + webhook.where() + " (attempt " + delivery.attempts() + ")");
    } else if (delivery != null) {
      String what = "the " + written + " new alert" + (written == 1 ? "" : "s")
          + " could not be delivered to the webhook " + webhook.where() + " after "
          + delivery.attempts() + " attempt" + (delivery.attempts() == 1 ? "" : "s") + " ("
          + TerminalText.escape(delivery.error()) + "); they are in " + file + " with \"delivery\": failed";
      out.println("webhook: " + what);
      err.println("monitor: warning: " + what);
    }
  }

  private static void messages(PrintStream out, List<Alert> alerts) {
    for (Alert a : alerts) {
      out.println("  " + TerminalText.escape(a.message()));
    }
  }
}
