package io.sparkbce.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.MetricHistory.Metric;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Alert rules of {@code monitor}: a window's loss above a threshold ({@code --alert-above}), or
 * outside mean ± K·σ of the previous N windows of the same segment ({@code --baseline-windows N
 * --alert-sigma K}; σ is the sample standard deviation, and the rule applies only once N previous
 * windows exist).
 */
final class Alerts {
  private static final ObjectMapper JSON = TerminalText.jsonMapper(false);

  private Alerts() {}

  /** The baseline band of a window: mean and σ of the previous N windows of its segment. */
  record Band(double mean, double sigma, double lower, double upper, int windows) {}

  /** A fired alert. */
  record Alert(Metric metric, String kind, String message, Band band, Double threshold) {
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
  static Map<String, Band> bands(List<Metric> history, int n, double k) {
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
        out.put(m.key(), new Band(mean, sigma, mean - k * sigma, mean + k * sigma, n));
      }
      if (m.loss() != null && !m.loss().isNaN()) {
        prev.add(m.loss());
      }
    }
    return out;
  }

  /** The alerts of one metric (threshold first, then baseline). */
  static List<Alert> check(Metric m, Double above, Band band) {
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

  /** Appends the alerts as JSON lines to {@code path} (rewritten atomically). */
  static void append(Configuration conf, String path, List<Alert> alerts) {
    if (alerts.isEmpty()) {
      return;
    }
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
      for (Alert a : alerts) {
        b.append(JSON.writeValueAsString(a.json(detectedAt))).append('\n');
      }
    } catch (IOException e) {
      throw new JobFailure("cannot write the alerts " + path + ": " + e.getMessage(), e);
    }
    AtomicOutput.writeText(conf, path, b.toString());
  }

  static String fmt(double d) {
    return TextTable.number(d);
  }
}
