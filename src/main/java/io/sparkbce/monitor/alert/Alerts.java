package io.sparkbce.monitor.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.TerminalText;
import io.sparkbce.job.TextTable;
import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Alert rules of {@code monitor}: a window's loss above a threshold ({@code --alert-above}), or
 * outside mean ± K·σ of the previous N windows of the same segment ({@code --baseline-windows N
 * --alert-sigma K}; σ is the sample standard deviation, and the rule applies only once N previous
 * windows exist).
 */
public final class Alerts {
  private static final ObjectMapper JSON = TerminalText.jsonMapper(false)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  private Alerts() {}

  /** The baseline band of a window: mean and σ of the previous N windows of its segment. */
  public record Band(double mean, double sigma, double lower, double upper, int windows, double k) {}

  /** A fired alert. */
  public record Alert(Metric metric, String kind, String message, Band band, Double threshold) {
    ObjectNode json(String detectedAt) {
      ObjectNode o = JSON.createObjectNode();
      o.put("detected_at", detectedAt);
      o.put("kind", kind);
      o.put("window_start", metric.windowStart().toInstant().toString());
      o.put("window_end", metric.windowEnd().toInstant().toString());
      o.put("segment", metric.segment());
      o.put("reduction", metric.reduction());
      o.put("loss", metric.loss());
      if (threshold != null) {
        o.put("threshold", threshold);
      }
      if (band != null) {
        o.put("baseline_windows", band.windows());
        o.put("alert_sigma", band.k());
        o.put("baseline_mean", band.mean());
        o.put("baseline_sigma", band.sigma());
        o.put("lower", band.lower());
        o.put("upper", band.upper());
      }
      o.put("message", message);
      return o;
    }
  }

  /**
   * The band of every metric of {@code history} (sorted by window) that has {@code n} previous
   * windows with a loss in its segment; keyed by {@link Metric#key}.
   */
  public static Map<String, Band> bands(List<Metric> history, int n, double k) {
    Map<String, Band> out = new HashMap<>();
    if (n < 2) {
      return out;
    }
    Map<String, List<Double>> previous = new HashMap<>();
    for (Metric m : history) {
      List<Double> prev = previous.computeIfAbsent(m.segment(), s -> new ArrayList<>());
      if (prev.size() >= n) {
        List<Double> last = prev.subList(prev.size() - n, prev.size());
        double mean = 0;
        for (double v : last) {
          mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : last) {
          ss += (v - mean) * (v - mean);
        }
        double sigma = Math.sqrt(ss / (n - 1));
        out.put(m.key(), new Band(mean, sigma, mean - k * sigma, mean + k * sigma, n, k));
      }
      if (m.loss() != null && !m.loss().isNaN()) {
        prev.add(m.loss());
      }
    }
    return out;
  }

  /** The alerts of one metric (threshold first, then baseline). */
  public static List<Alert> check(Metric m, Double above, Band band) {
    List<Alert> out = new ArrayList<>();
    if (m.loss() == null) {
      return out;
    }
    double loss = m.loss();
    String what = m.segment() + " window " + m.windowStart().toInstant() + ": loss ("
        + m.reduction() + ") " + fmt(loss);
    if (above != null && (loss > above || Double.isNaN(loss))) {
      out.add(new Alert(m, "threshold", what + " is above --alert-above " + fmt(above), null,
          above));
    }
    if (band != null && (loss > band.upper() || loss < band.lower() || Double.isNaN(loss))) {
      out.add(new Alert(m, "baseline", what + " is outside the baseline " + fmt(band.lower())
          + " .. " + fmt(band.upper()) + " (mean " + fmt(band.mean()) + " ± " + "K·σ, σ "
          + fmt(band.sigma()) + ", previous " + band.windows() + " windows)", band, null));
    }
    return out;
  }

  /**
   * The fields that make two alert lines the same alert: rule (kind and its parameters), window,
   * segment, reduction and loss. Not the band's bounds, nor when it was detected.
   */
  private static final List<String> IDENTITY = List.of("kind", "threshold", "baseline_windows",
      "alert_sigma", "window_start", "window_end", "segment", "reduction", "loss");

  private static String identity(JsonNode alert) {
    StringBuilder b = new StringBuilder();
    for (String f : IDENTITY) {
      b.append(f).append('=').append(alert.path(f).toString()).append('\u0000');
    }
    return b.toString();
  }

  /**
   * Appends to {@code path} (rewritten atomically) the alerts it does not hold yet, as JSON lines;
   * returns how many were new. An alert already there (same {@link #IDENTITY}) is not repeated by
   * a re-run; a recomputed window whose loss changed gets a new line, which supersedes the earlier
   * one (the last line of a window, segment and rule is the current one).
   */
  public static int append(Configuration conf, String path, List<Alert> alerts) {
    if (alerts.isEmpty()) {
      return 0;
    }
    int added = 0;
    String detectedAt = Instant.now().toString();
    StringBuilder b = new StringBuilder();
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      if (fs.exists(p)) {
        try (InputStream in = fs.open(p)) {
          b.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != '\n') {
        b.append('\n');
      }
      Set<String> present = new HashSet<>();
      for (String line : b.toString().split("\n")) {
        try {
          present.add(identity(JSON.readTree(line)));
        } catch (IOException e) {
          // not an alert line (blank or edited by hand): kept as it is, matches nothing
        }
      }
      for (Alert a : alerts) {
        ObjectNode json = a.json(detectedAt);
        if (present.add(identity(JSON.readTree(JSON.writeValueAsString(json))))) {
          b.append(JSON.writeValueAsString(json)).append('\n');
          added++;
        }
      }
    } catch (IOException e) {
      throw new JobFailure("cannot write the alerts " + path + ": " + e.getMessage(), e);
    }
    if (added > 0) {
      AtomicOutput.writeText(conf, path, b.toString());
    }
    return added;
  }

  public static String fmt(double d) {
    return TextTable.number(d);
  }
}
