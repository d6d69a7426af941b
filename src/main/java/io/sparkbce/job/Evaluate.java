package io.sparkbce.job;

import static io.sparkbce.job.InputColumns.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.try_element_at;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.BceFunctions;
import io.sparkbce.job.EvaluateOptions.InvalidRows;
import io.sparkbce.job.EvaluateOptions.PosWeight;
import io.sparkbce.job.InputColumns.Shape;
import io.sparkbce.job.output.AtomicOutput;
import io.sparkbce.job.output.ForklessLocalFileSystem;
import io.sparkbce.job.output.OutputGuard;
import io.sparkbce.job.output.OutputManifest;
import io.sparkbce.loss.Reduction;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code evaluate}: the loss of a data set of logits and labels, per group, written as a table on
 * stdout and a JSON summary; with {@code --reduction none}, per-row losses next to the input's key
 * columns. See {@link #USAGE}.
 *
 * <p>Passes over the input: with {@code --pos-weight auto}, one for {@code bce_pos_weight}; then one
 * grouped aggregate that counts rows by validity and computes the losses; with {@code none}, that
 * pass only counts and a last one writes the losses.
 */
public final class Evaluate {
  static final String INVALID_MARKER = "spark-bce: invalid row";

  static final String USAGE = String.join("\n",
      "usage: submit.sh evaluate --input PATH|GLOB|TABLE [options]",
      "",
      "  --input PATH|GLOB|TABLE   data to evaluate; any Hadoop file system URI (file://, hdfs://, s3a://)",
      "  --format parquet|orc|csv|json   default: from the extension, else parquet",
      "  --base-path DIR           root of Hive-style partition directories when --input is a glob",
      "                            (default: the directory above the first globbed name=value segment)",
      "  --logits COL              logits column (default logits): number, ARRAY of numbers or vector",
      "  --labels COL              labels column (default labels): same shape; numbers or BOOLEAN",
      "  --weight COL              optional weight: a number per row or an array of the logits' shape",
      "  --pos-weight auto|@FILE|1.0,3.0,...   auto = bce_pos_weight(labels) over the rows evaluated",
      "  --reduction mean|sum|weighted_mean|none   default mean (over elements, as PyTorch)",
      "  --group-by COL,COL        one loss per group",
      "  --per-class               also the loss of each class",
      "  --where SQL               SQL predicate on the input's columns (the only option taking SQL)",
      "  --output DIR              where summary.json (and, for none, losses/) go; default "
          + EvaluateOptions.DEFAULT_OUTPUT,
      "  --invalid report|fail     report (default): skip invalid rows, count them by reason;",
      "                            fail: stop at the first invalid row, showing it",
      "  --config FILE             a .properties file with the same keys (input=..., pos-weight=auto)",
      "",
      "Column names are identifiers, not SQL: `a.b` is a column named a.b, not a field.",
      Main.EXIT_CODES);

  private static final ObjectMapper JSON = TerminalText.jsonMapper(true);

  private Evaluate() {}

  /** What a run produced. */
  public static final class Result {
    public final ObjectNode summary;
    public final String summaryPath;
    /** The per-row losses directory (reduction none), else null. */
    public final String lossesPath;
    /** The table printed on stdout. */
    public final String table;

    Result(ObjectNode summary, String summaryPath, String lossesPath, String table) {
      this.summary = summary;
      this.summaryPath = summaryPath;
      this.lossesPath = lossesPath;
      this.table = table;
    }
  }

  public static Result run(SparkSession spark, EvaluateOptions o, PrintStream out) {
    long start = System.nanoTime();
    Instant startedAt = Instant.now();
    Map<String, Long> timings = new LinkedHashMap<>();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    PosWeight posWeightSpec = PosWeight.parse(o.posWeight, hadoop);

    InputData in = InputData.load(spark, o);
    OutputGuard.check(spark, in, o.input, outputs(o));
    Dataset<Row> df = in.df;
    ResolvedColumns cols = ResolvedColumns.resolve(spark, df, o);
    String logitsName = cols.logits;
    String labelsName = cols.labels;
    String weightName = cols.weight;
    List<String> groupBy = cols.groupBy;
    List<String> keys = cols.keys;
    Shape xs = cols.xs;
    Shape ys = cols.ys;
    Shape ws = cols.ws;

    df = where(df, o.where);

    Column x = cols.x();
    Column y = cols.y();
    Column w = cols.w();
    // Computed once per row (a projection), not once per aggregate that reads it.
    String reasonName = uniqueName("_bce_invalid", List.of(df.columns()));
    df = df.withColumn(reasonName, InputColumns.reason(x, xs, y, ys, w, ws));
    Column reason = col(reasonName);
    Column[] valid = cols.validOnly(reason, o.invalid);
    Column gx = valid[0];
    Column gy = valid[1];

    String job = "spark-bce evaluate " + o.input;
    double[] posWeight = null;
    try {
      if (posWeightSpec.auto) {
        long t = System.nanoTime();
        Phases.begin(spark, job, "computing pos_weight");
        posWeight = ResolvedColumns.posWeightFromLabels(df, gy);
        timings.put("pos_weight_ms", millis(t));
      } else if (posWeightSpec.values != null) {
        posWeight = posWeightSpec.values;
        if (posWeight.length != 1) {
          long t = System.nanoTime();
          Phases.begin(spark, job, "counting classes");
          Integer classes = classCount(df, reason, x, xs.rank());
          timings.put("class_count_ms", millis(t));
          cols.requirePosWeightSize(posWeight, classes);
        }
      }

      List<Column> aggs = ReasonGroups.counts(gx, xs.rank());
      String red = o.reduction.sqlName();
      if (o.reduction != Reduction.NONE) {
        aggs.add(BceFunctions.bceWithLogitsLoss(gx, gy, w, posWeight, red).as("_loss"));
        if (o.perClass) {
          aggs.add(BceFunctions.bceWithLogitsLossPerClass(gx, gy, w, posWeight, red)
              .as("_loss_per_class"));
        }
      }
      Column first = aggs.get(0);
      Column[] rest = aggs.subList(1, aggs.size()).toArray(new Column[0]);
      // One pass: rows counted by invalid reason beside the losses (see ReasonGroups).
      List<Column> by = new ArrayList<>();
      groupBy.forEach(g -> by.add(col(g)));
      by.add(reason);
      Column[] byReason = by.toArray(new Column[0]);
      long t = System.nanoTime();
      Phases.begin(spark, job, o.reduction == Reduction.NONE ? "counting rows"
          : "evaluating (" + red + " loss)");
      List<ReasonGroups.Group> groups = ReasonGroups.fold(
          ReasonGroups.collectSorted(df.groupBy(byReason).agg(first, rest), groupBy.size()),
          groupBy.size(), reasonName, xs.rank());
      if (groups.isEmpty() && groupBy.isEmpty()) {
        // No rows: the one group of a global aggregate, with the losses of no rows (no scan).
        groups.add(new ReasonGroups.Group(df.limit(0).agg(first, rest).first()));
      }
      timings.put(o.reduction == Reduction.NONE ? "count_ms" : "loss_ms", millis(t));

      String lossesPath = null;
      List<String> partitionBy = new ArrayList<>();
      AtomicOutput.Staged stagedLosses = null;
      try {
        if (o.reduction == Reduction.NONE) {
          lossesPath = child(o.output, "losses");
          for (String p : in.partitionColumns) {
            for (String k : keys) {
              if (k.equalsIgnoreCase(p)) {
                partitionBy.add(k);
              }
            }
          }
          String lossColumn = uniqueName("loss", keys);
          List<Column> select = new ArrayList<>();
          for (String k : keys) {
            select.add(col(k));
          }
          select.add(BceFunctions.bceWithLogits(gx, gy, w, posWeight).as(lossColumn));
          Dataset<Row> rows = o.invalid == InvalidRows.REPORT ? df.where(reason.isNull()) : df;
          Dataset<Row> losses = rows.select(select.toArray(new Column[0]));
          String[] parts = partitionBy.toArray(new String[0]);
          long tw = System.nanoTime();
          Phases.begin(spark, job, "writing per-row losses");
          stagedLosses = AtomicOutput.stageDirectory(hadoop, lossesPath,
              tmp -> losses.write().options(ForklessLocalFileSystem.settings(hadoop))
                  .partitionBy(parts).parquet(tmp));
          timings.put("write_ms", millis(tw));
        }

        String summaryPath = child(o.output, "summary.json");
        ObjectNode summary = summary(spark, o, in, posWeightSpec, posWeight, logitsName,
            labelsName, weightName, keys, groupBy, groups, summaryPath, lossesPath, partitionBy);
        timings.put("total_ms", millis(start));
        ObjectNode tm = summary.putObject("timings_ms");
        timings.forEach(tm::put);
        summary.put("started_at", startedAt.toString());
        summary.put("finished_at", Instant.now().toString());
        String table = table(o, summary, groupBy);
        // Both outputs are complete before either replaces its previous version.
        try (AtomicOutput.Staged stagedSummary = AtomicOutput.stageText(hadoop, summaryPath,
            JSON.writeValueAsString(summary) + "\n")) {
          if (stagedLosses != null) {
            AtomicOutput.commitTogether(stagedLosses, stagedSummary);
          } else {
            AtomicOutput.commitTogether(stagedSummary);
          }
        }
        Phases.end(spark);
        out.print(table);
        out.println("summary: " + TerminalText.escape(summaryPath));
        if (lossesPath != null) {
          out.println("per-row losses: " + TerminalText.escape(lossesPath) + " (parquet"
              + (partitionBy.isEmpty() ? "" : ", partitioned by "
                  + TerminalText.escape(String.join(", ", partitionBy))) + ")");
        }
        return new Result(summary, summaryPath, lossesPath, table);
      } finally {
        if (stagedLosses != null) {
          stagedLosses.close();
        }
      }
    } catch (Exception e) {
      throw JobFailure.translate(e, new LossCallErrors(cols, "--per-class"));
    } finally {
      Phases.end(spark);
    }
  }

  /**
   * {@code df} filtered by the {@code --where} predicate (none if null); a predicate Spark cannot
   * parse or resolve is a usage error naming --where and the text, without Spark's plan.
   */
  public static Dataset<Row> where(Dataset<Row> df, String where) {
    if (where == null) {
      return df;
    }
    try {
      return df.where(where);
    } catch (Exception e) {
      if (e instanceof AnalysisException a) {
        throw new UsageException("--where \"" + TerminalText.escape(where) + "\": "
            + a.getSimpleMessage(), e);
      }
      throw e;
    }
  }

  /** What a run writes: the --output directory, the summary and, for none, the losses. */
  private static List<OutputGuard.Output> outputs(EvaluateOptions o) {
    List<OutputGuard.Output> out = new ArrayList<>();
    out.add(new OutputGuard.Output("--output", o.output, null, true));
    out.add(new OutputGuard.Output("--output", child(o.output, "summary.json"),
        OutputManifest.Kind.FILE, false));
    if (o.reduction == Reduction.NONE) {
      out.add(new OutputGuard.Output("--output", child(o.output, "losses"),
          OutputManifest.Kind.DIRECTORY, false));
    }
    return out;
  }

  /** {@code base}, or {@code base_1}, ... if a key column already has that name. */
  public static String uniqueName(String base, List<String> taken) {
    String name = base;
    for (int i = 1; contains(taken, name); i++) {
      name = base + "_" + i;
    }
    return name;
  }

  private static boolean contains(List<String> names, String name) {
    return names.stream().anyMatch(n -> n.equalsIgnoreCase(name));
  }

  /** The innermost size of the first valid row (a tiny job), or null if there is none. */
  public static Integer classCount(Dataset<Row> df, Column reason, Column x, int rank) {
    if (rank == 0) {
      return 1;
    }
    Column inner = x;
    for (int i = 1; i < rank; i++) {
      inner = try_element_at(inner, lit(1));
    }
    List<Row> r = df.where(reason.isNull()).select(size(inner)).limit(1).collectAsList();
    if (r.isEmpty() || r.get(0).isNullAt(0)) {
      return null;
    }
    return r.get(0).getInt(0);
  }

  private static ObjectNode summary(
      SparkSession spark, EvaluateOptions o, InputData in, PosWeight spec, double[] posWeight,
      String logits, String labels, String weight, List<String> keys, List<String> groupBy,
      List<ReasonGroups.Group> groupRows, String summaryPath, String lossesPath, List<String> partitionBy) {
    ObjectNode s = JSON.createObjectNode();
    s.put("command", "evaluate");
    s.put("status", "ok");
    ObjectNode input = s.putObject("input");
    input.put("input", o.input);
    input.put("format", in.format);
    if (in.basePath != null) {
      input.put("base_path", in.basePath);
    }
    input.put("where", o.where);
    strings(input.putArray("partition_columns"), in.partitionColumns);
    ObjectNode cols = s.putObject("columns");
    cols.put("logits", logits);
    cols.put("labels", labels);
    cols.put("weight", weight);
    strings(cols.putArray("keys"), keys);
    s.put("reduction", o.reduction.sqlName());
    s.put("per_class", o.perClass);
    strings(s.putArray("group_by"), groupBy);
    s.put("invalid", o.invalid.name().toLowerCase(Locale.ROOT));
    ObjectNode pw = s.putObject("pos_weight");
    pw.put("source", spec.source);
    if (posWeight == null) {
      pw.putNull("values");
    } else {
      ArrayNode a = pw.putArray("values");
      for (double d : posWeight) {
        a.add(d);
      }
    }

    long rows = 0;
    long used = 0;
    long elements = 0;
    Map<String, Long> skipped = new LinkedHashMap<>();
    InputColumns.REASONS.forEach(r -> skipped.put(r, 0L));
    ArrayNode groups = JSON.createArrayNode();
    for (ReasonGroups.Group group : groupRows) {
      ObjectNode g = groups.addObject();
      ObjectNode key = g.putObject("key");
      for (int i = 0; i < groupBy.size(); i++) {
        putValue(key, groupBy.get(i), group.keys.get(i));
      }
      g.put("rows", group.rows);
      g.put("rows_used", group.used);
      g.put("rows_skipped", group.skippedRows());
      ObjectNode gs = g.putObject("skipped_by_reason");
      group.skipped.forEach((reason, n) -> {
        gs.put(reason, n);
        skipped.merge(reason, n, Long::sum);
      });
      Row r = group.losses;
      g.put("elements", group.elements);
      if (o.reduction != Reduction.NONE) {
        putDouble(g, "loss", r.isNullAt(r.fieldIndex("_loss")) ? null
            : r.getDouble(r.fieldIndex("_loss")));
        if (o.perClass) {
          int i = r.fieldIndex("_loss_per_class");
          if (r.isNullAt(i)) {
            g.putNull("loss_per_class");
          } else {
            ArrayNode a = g.putArray("loss_per_class");
            for (Object v : r.getList(i)) {
              putDouble(a, (Double) v);
            }
          }
        }
      }
      rows += group.rows;
      used += group.used;
      elements += group.elements;
    }
    s.put("rows", rows);
    s.put("rows_used", used);
    s.put("rows_skipped", rows - used);
    ObjectNode sk = s.putObject("skipped_by_reason");
    skipped.forEach(sk::put);
    s.put("elements", elements);
    if (groupBy.isEmpty() && o.reduction != Reduction.NONE && groups.size() == 1) {
      ObjectNode only = (ObjectNode) groups.get(0);
      s.set("loss", only.get("loss"));
      if (o.perClass) {
        s.set("loss_per_class", only.get("loss_per_class"));
      }
    }
    s.set("groups", groups);
    ObjectNode output = s.putObject("output");
    output.put("summary", summaryPath);
    if (lossesPath != null) {
      output.put("losses", lossesPath);
      output.put("losses_format", "parquet");
      strings(output.putArray("partitioned_by"), partitionBy);
    }
    ObjectNode sp = s.putObject("spark");
    sp.put("version", spark.version());
    sp.put("master", spark.sparkContext().master());
    sp.put("application_id", spark.sparkContext().applicationId());
    return s;
  }

  private static String table(EvaluateOptions o, ObjectNode s, List<String> groupBy) {
    StringBuilder b = new StringBuilder();
    String red = o.reduction.sqlName();
    b.append("spark-bce evaluate: ").append(TerminalText.escape(o.input)).append(" (")
        .append(s.get("input").get("format").asText()).append(")")
        .append(o.where == null ? "" : " where " + TerminalText.escape(o.where)).append('\n');
    b.append("reduction ").append(red).append(", pos_weight ")
        .append(s.get("pos_weight").get("source").asText());
    if (!s.get("pos_weight").get("values").isNull()) {
      b.append(' ').append(shortList(s.get("pos_weight").get("values")));
    }
    b.append(o.weight == null ? "" : ", weight " + TerminalText.escape(o.weight))
        .append(", invalid rows: ").append(o.invalid.name().toLowerCase(Locale.ROOT)).append('\n');
    long skippedRows = s.get("rows_skipped").asLong();
    b.append("rows ").append(TextTable.count(s.get("rows").asLong()))
        .append(", used ").append(TextTable.count(s.get("rows_used").asLong()))
        .append(", skipped ").append(TextTable.count(skippedRows));
    if (skippedRows > 0) {
      List<String> parts = new ArrayList<>();
      s.get("skipped_by_reason").fields().forEachRemaining(e -> {
        if (e.getValue().asLong() > 0) {
          parts.add(e.getKey() + " " + TextTable.count(e.getValue().asLong()));
        }
      });
      b.append(" (").append(String.join(", ", parts)).append(')');
    }
    b.append(", elements ").append(TextTable.count(s.get("elements").asLong())).append("\n\n");

    List<String> headers = new ArrayList<>(groupBy);
    headers.addAll(List.of("rows used", "skipped", "elements"));
    boolean losses = o.reduction != Reduction.NONE;
    if (losses) {
      headers.add("loss (" + red + ")");
    }
    TextTable t = new TextTable(headers);
    for (int i = groupBy.size(); i < headers.size(); i++) {
      t.alignRight(i);
    }
    ArrayNode groups = (ArrayNode) s.get("groups");
    int shownGroups = Math.min(groups.size(), 200);
    List<String> groupLabels = new ArrayList<>();
    List<List<String>> groupCells = new ArrayList<>();
    for (int gi = 0; gi < shownGroups; gi++) {
      ObjectNode g = (ObjectNode) groups.get(gi);
      List<String> cells = new ArrayList<>();
      List<String> label = new ArrayList<>();
      for (String c : groupBy) {
        String v = g.get("key").get(c).isNull() ? "NULL" : g.get("key").get(c).asText();
        cells.add(v);
        label.add(v);
      }
      groupLabels.add(groupBy.isEmpty() ? "loss" : String.join("/", label));
      groupCells.add(label);
      cells.add(TextTable.count(g.get("rows_used").asLong()));
      cells.add(TextTable.count(g.get("rows_skipped").asLong()));
      cells.add(TextTable.count(g.get("elements").asLong()));
      if (losses) {
        cells.add(TextTable.number(doubleOf(g.get("loss"))));
      }
      t.add(cells);
    }
    b.append(t.render());
    if (groups.size() > shownGroups) {
      b.append("... and ").append(groups.size() - shownGroups)
          .append(" more groups (all of them are in the summary)\n");
    }
    if (losses && o.perClass) {
      b.append('\n').append("loss per class (").append(red).append("):\n");
      int classes = 0;
      for (int gi = 0; gi < shownGroups; gi++) {
        classes = Math.max(classes, groups.get(gi).path("loss_per_class").size());
      }
      if (shownGroups <= 8) {
        List<String> h = new ArrayList<>(List.of("class"));
        h.addAll(groupLabels);
        TextTable pc = new TextTable(h);
        for (int i = 0; i < h.size(); i++) {
          pc.alignRight(i);
        }
        for (int c = 0; c < classes; c++) {
          List<String> cells = new ArrayList<>(List.of(Integer.toString(c)));
          for (int gi = 0; gi < shownGroups; gi++) {
            cells.add(TextTable.number(doubleOf(groups.get(gi).path("loss_per_class").get(c))));
          }
          pc.add(cells);
        }
        b.append(pc.render());
      } else {
        List<String> h = new ArrayList<>(groupBy);
        h.addAll(List.of("class", "loss"));
        TextTable pc = new TextTable(h);
        pc.alignRight(h.size() - 2).alignRight(h.size() - 1);
        for (int gi = 0; gi < shownGroups; gi++) {
          for (int c = 0; c < groups.get(gi).path("loss_per_class").size(); c++) {
            List<String> cells = new ArrayList<>(groupCells.get(gi));
            cells.add(Integer.toString(c));
            cells.add(TextTable.number(doubleOf(groups.get(gi).path("loss_per_class").get(c))));
            pc.add(cells);
          }
        }
        b.append(pc.render());
      }
    }
    b.append('\n');
    return b.toString();
  }

  private static String shortList(com.fasterxml.jackson.databind.JsonNode values) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < values.size() && i < 6; i++) {
      parts.add(TextTable.number(doubleOf(values.get(i))).replaceAll("0+$", "")
          .replaceAll("\\.$", ".0"));
    }
    return "[" + String.join(", ", parts) + (values.size() > 6 ? ", ... (" + values.size()
        + " values)" : "") + "]";
  }

  static Double doubleOf(com.fasterxml.jackson.databind.JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isTextual()) {
      return Double.valueOf(n.asText());
    }
    return n.asDouble();
  }

  private static void putDouble(ObjectNode o, String field, Double v) {
    if (v == null) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }

  private static void putDouble(ArrayNode a, Double v) {
    if (v == null) {
      a.addNull();
    } else {
      a.add(v);
    }
  }

  private static void putValue(ObjectNode o, String field, Object v) {
    if (v == null) {
      o.putNull(field);
    } else if (v instanceof Integer || v instanceof Long || v instanceof Short
        || v instanceof Byte) {
      o.put(field, ((Number) v).longValue());
    } else if (v instanceof Double || v instanceof Float) {
      o.put(field, ((Number) v).doubleValue());
    } else if (v instanceof BigDecimal d) {
      o.put(field, d);
    } else if (v instanceof Boolean bo) {
      o.put(field, bo);
    } else {
      o.put(field, v.toString());
    }
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }


  public static String child(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }
}
