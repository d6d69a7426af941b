package io.sparkbce.monitor.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.job.EvaluateOptions.PosWeight;
import io.sparkbce.job.JobFailure;
import io.sparkbce.job.output.AtomicOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What makes the rows of a metric history comparable, recorded once per history in
 * {@value #NAME}: the reduction, the window length, the pos_weight (none, auto or the values) and
 * the group-by columns with their types (the type of {@code segment_values}). A run whose settings
 * differ is refused, naming each difference, unless it starts a new series ({@code --new-series}).
 */
public record HistorySeries(int format, String reduction, String window, String posWeight,
    StructType segmentType, List<Double> frozenPosWeight) {
  static final String NAME = "_series.json";
  /** 2: segments keyed by typed values (format 1, before, had only a text label). */
  static final int FORMAT = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The series a run writes: its reduction, window, pos_weight and group-by columns; for
   * {@code --pos-weight auto}, its reference period (null bounds: open, both null: the rows of the
   * run that starts the history). The values of auto are frozen later ({@link #frozen}).
   */
  public static HistorySeries of(String reduction, String window, PosWeight posWeight,
      StructType segmentType, String referenceSince, String referenceUntil) {
    return new HistorySeries(FORMAT, reduction, window,
        posWeightText(posWeight, referenceSince, referenceUntil), segmentType, null);
  }

  /** This series with the values of its {@code --pos-weight auto}, computed once. */
  HistorySeries frozen(double[] values) {
    return new HistorySeries(format, reduction, window, posWeight, segmentType,
        Arrays.stream(values).boxed().toList());
  }

  private static String posWeightText(PosWeight p, String since, String until) {
    if (p.auto) {
      return since == null && until == null ? "auto" : "auto over [" + (since == null ? "..."
          : since) + ", " + (until == null ? "..." : until) + ")";
    }
    if (p.values == null) {
      return "none";
    }
    return Arrays.stream(p.values).mapToObj(Double::toString).collect(Collectors.joining(","));
  }

  /** The group-by columns in order. */
  List<String> groupBy() {
    return Arrays.asList(segmentType.fieldNames());
  }

  /** What differs between the history's series and this run's, as phrases naming the option. */
  public List<String> differences(HistorySeries run) {
    List<String> out = new ArrayList<>();
    if (!reduction.equals(run.reduction)) {
      out.add("--reduction: the history has " + reduction + ", this run " + run.reduction);
    }
    if (!window.equals(run.window)) {
      out.add("--window: the history has " + window + ", this run " + run.window);
    }
    if (!posWeight.equals(run.posWeight)) {
      out.add("--pos-weight: the history has " + shown(posWeight) + ", this run "
          + shown(run.posWeight));
    }
    if (!segmentType.equals(run.segmentType)) {
      out.add("--group-by: the history has " + columns(segmentType) + ", this run "
          + columns(run.segmentType));
    }
    return out;
  }

  private static String shown(String posWeight) {
    String[] v = posWeight.split(",");
    return v.length <= 5 ? posWeight
        : String.join(",", Arrays.copyOf(v, 5)) + ",... (" + v.length + " values)";
  }

  private static String columns(StructType t) {
    if (t.fields().length == 0) {
      return "none";
    }
    List<String> out = new ArrayList<>();
    for (StructField f : t.fields()) {
      out.add(f.name() + " " + f.dataType().sql());
    }
    return String.join(", ", out);
  }

  String json() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", format);
    o.put("reduction", reduction);
    o.put("window", window);
    o.put("pos_weight", posWeight);
    o.put("segment_type", segmentType.json());
    if (frozenPosWeight != null) {
      // as text: JSON numbers have no Infinity (a class without positives in the reference)
      frozenPosWeight.forEach(v -> o.withArray("pos_weight_values").add(v.toString()));
    }
    return o.toString() + "\n";
  }

  /** The series recorded in the history at {@code root}, or null if it has none. */
  public static HistorySeries read(FileSystem fs, Path root) throws IOException {
    Path p = new Path(root, NAME);
    if (!fs.exists(p)) {
      return null;
    }
    try (InputStream in = fs.open(p)) {
      JsonNode n = JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return new HistorySeries(n.path("format").asInt(), n.path("reduction").asText(),
          n.path("window").asText(), n.path("pos_weight").asText(),
          (StructType) DataType.fromJson(n.path("segment_type").asText()),
          n.has("pos_weight_values") ? values(n.get("pos_weight_values")) : null);
    }
  }

  private static List<Double> values(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(v -> out.add(Double.parseDouble(v.asText())));
    return out;
  }

  /** Records this series in the history at {@code root} (replacing the previous record). */
  void write(Configuration conf, Path root) {
    try {
      AtomicOutput.writeText(conf, new Path(root, NAME).toString(), json());
    } catch (UncheckedIOException e) {
      throw new JobFailure("cannot record the series of the history " + root + ": "
          + e.getMessage(), e);
    }
  }
}
