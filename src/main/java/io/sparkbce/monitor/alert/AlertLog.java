package io.sparkbce.monitor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.monitor.alert.Alerts.Alert;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code alerts.jsonl}: one JSON line per fired alert, rewritten atomically. A re-run does not
 * repeat an alert already there (same {@link #IDENTITY}); a recomputed window whose loss changed
 * gets a new line, which supersedes the earlier one (the last line of a window, segment and rule
 * is the current one).
 */
public final class AlertLog {
  /**
   * The fields that make two alert lines the same alert: rule (kind and its parameters), window,
   * segment, reduction and loss. Not the bounds derived from the data, when it was detected, the
   * M-of-N count nor the delivery.
   */
  private static final List<String> IDENTITY = List.of("kind", "threshold", "baseline_windows",
      "alert_sigma", "change_limit", "change_sides", "change_versus", "window_start",
      "window_end", "segment", "reduction", "loss");
  static final String DELIVERY = "delivery";

  private AlertLog() {}

  private static String identity(JsonNode alert) {
    StringBuilder b = new StringBuilder();
    for (String f : IDENTITY) {
      b.append(f).append('=').append(alert.path(f).toString()).append('\u0000');
    }
    return b.toString();
  }

  /**
   * Appends to {@code path} the alerts it does not hold yet; returns the records written. With
   * {@code pendingDelivery}, each new record says {@code "delivery": {"status": "pending"}} until
   * {@link #recordDelivery} replaces it: a run that dies while posting leaves its alerts written
   * and marked as not confirmed.
   */
  public static List<ObjectNode> append(Configuration conf, String path, List<Alert> alerts,
      boolean pendingDelivery) {
    List<ObjectNode> added = new ArrayList<>();
    if (alerts.isEmpty()) {
      return added;
    }
    String detectedAt = Instant.now().toString();
    StringBuilder b = new StringBuilder();
    try {
      for (String line : lines(conf, path)) {
        b.append(line).append('\n');
      }
      Set<String> present = new HashSet<>();
      for (String line : b.toString().split("\n")) {
        JsonNode json = parse(line);
        if (json != null) {
          present.add(identity(json));
        }
      }
      for (Alert a : alerts) {
        ObjectNode json = a.json(detectedAt);
        if (present.add(identity(Alerts.JSON.readTree(Alerts.JSON.writeValueAsString(json))))) {
          if (pendingDelivery) {
            json.putObject(DELIVERY).put("status", "pending");
          }
          b.append(Alerts.JSON.writeValueAsString(json)).append('\n');
          added.add(json);
        }
      }
    } catch (IOException e) {
      throw new JobFailure("cannot write the alerts " + path + ": " + e.getMessage(), e);
    }
    if (!added.isEmpty()) {
      AtomicOutput.writeText(conf, path, b.toString());
    }
    return added;
  }

  /** Replaces the pending delivery of {@code written} (from {@link #append}) by {@code d}. */
  public static void recordDelivery(Configuration conf, String path, List<ObjectNode> written,
      Webhook.Delivery d) {
    Set<String> mine = new HashSet<>();
    try {
      for (ObjectNode w : written) {
        mine.add(identity(Alerts.JSON.readTree(Alerts.JSON.writeValueAsString(w))));
      }
      StringBuilder b = new StringBuilder();
      for (String line : lines(conf, path)) {
        JsonNode json = parse(line);
        if (json instanceof ObjectNode o && mine.contains(identity(o))
            && "pending".equals(o.path(DELIVERY).path("status").asText())) {
          o.set(DELIVERY, d.json());
          line = Alerts.JSON.writeValueAsString(o);
        }
        b.append(line).append('\n');
      }
      AtomicOutput.writeText(conf, path, b.toString());
    } catch (IOException e) {
      throw new JobFailure("cannot write the alerts " + path + ": " + e.getMessage(), e);
    }
  }

  /** The lines of {@code path} (none if it does not exist), a last unterminated one included. */
  private static List<String> lines(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    if (!fs.exists(p)) {
      return List.of();
    }
    try (InputStream in = fs.open(p)) {
      List<String> out = new ArrayList<>(
          List.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)));
      if (out.get(out.size() - 1).isEmpty()) {
        out.remove(out.size() - 1);
      }
      return out;
    }
  }

  private static JsonNode parse(String line) {
    try {
      return Alerts.JSON.readTree(line);
    } catch (IOException e) {
      // not an alert line (blank or edited by hand): kept as it is, matches nothing
      return null;
    }
  }
}
