package io.sparkbce.bench;

import io.sparkbce.BceFunctions;
import io.sparkbce.job.output.InterruptCleanup;
import io.sparkbce.loss.BlockKernel;
import io.sparkbce.loss.LossRounding;
import io.sparkbce.udf.ColumnarAggregateRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of the loss functions against a bare scan of the same columns, measured in the same
 * run (shared machines are noisy; only ratios within one run mean something). Generates Parquet
 * data under a temp dir (deleted at the end, also when the run fails or is interrupted), runs each
 * section's queries {@code --warmup} rounds untimed, then {@code --repeat} timed rounds, and keeps
 * each query's fastest. A round runs every query of the section once, in order: a baseline and
 * the queries compared with it are timed under the same load, and none is timed while the JIT
 * is still compiling the kernels (the first query to use them would otherwise pay that alone).
 * See {@link #USAGE}.
 *
 * <p>{@code paths} are the shapes users take (issue 12): a filter, grouping by a day or a window,
 * and the evaluate and monitor jobs' own work in-process, each beside the bare scan and the scan
 * with the same filter or grouping.
 */
public final class Benchmark {
  private static final List<String> SECTIONS =
      List.of("scalar", "paths", "arrays", "grouped", "mllib", "memory");
  public static final String USAGE = String.join("\n",
      "usage: submit.sh bench [--rows N] [--array-rows N] [--classes N] [--groups N] [--repeat N]",
      "                       [--warmup N] [--only SECTION,...] [--memory-groups N] [--dir DIR]",
      "",
      "  --rows N           scalar rows (default 20000000)",
      "  --array-rows N     array rows (default 1000000)",
      "  --classes N        classes per array row (default 64)",
      "  --groups N         groups of the grouped section (default 10000)",
      "  --repeat N         timed rounds (each runs every query of a section once); a query's",
      "                     fastest counts (default 3)",
      "  --warmup N         untimed rounds before them, for the JIT (default 1; 0 for none)",
      "  --only S,...       sections among " + String.join(",", SECTIONS)
          + " (default scalar,paths,arrays,grouped,mllib)",
      "  --memory-groups N  groups of the memory section (default 100000)",
      "  --timestamps T     how the scalar rows' ts is stored: int96 (Spark's default writer;",
      "                     default) or micros (Parquet's INT64 TIMESTAMP_MICROS, as written by",
      "                     most other tools); each has its own data directory",
      "  --dir DIR          keep the generated data in DIR and reuse it next time; without it the",
      "                     data goes to a temp directory that is deleted at the end, also when",
      "                     the run fails or is interrupted");
  private static final java.util.Set<String> OPTIONS = java.util.Set.of("rows", "array-rows",
      "classes", "groups", "repeat", "warmup", "only", "memory-groups", "dir", "timestamps");
  /** Deterministic pseudo-random class values (rand() takes no per-element seed in a lambda). */
  private static final String LOGIT = "c -> CAST((hash(id, c) % 10007) / 1667D AS FLOAT)";
  private static final String LABEL = "c -> CAST(pmod(hash(c, id), 5) = 0 AS FLOAT)";
  private final SparkSession spark;
  private final int repeat;
  private final int warmup;

  /** A bad command line: nothing ran. */
  public static final class BadOption extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadOption(String message) {
      super(message);
    }
  }

  private Benchmark(SparkSession spark, int repeat, int warmup) {
    this.spark = spark;
    this.repeat = repeat;
    this.warmup = warmup;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    long rows = positive(o, "rows", 20_000_000);
    long arrayRows = positive(o, "array-rows", 1_000_000);
    int classes = (int) positive(o, "classes", 64);
    int groups = (int) positive(o, "groups", 10_000);
    int repeat = (int) positive(o, "repeat", 3);
    int warmup = (int) atLeast(o, "warmup", 1, 0);
    int memoryGroups = (int) positive(o, "memory-groups", 100_000);
    String only = o.getOrDefault("only", "scalar,paths,arrays,grouped,mllib");
    String timestamps = o.getOrDefault("timestamps", "int96");
    if (!timestamps.equals("int96") && !timestamps.equals("micros")) {
      throw new BadOption("--timestamps: '" + timestamps + "' is neither int96 nor micros");
    }
    for (String section : only.split(",")) {
      if (!SECTIONS.contains(section.trim())) {
        throw new BadOption("--only: unknown section '" + section + "'; sections are "
            + String.join(", ", SECTIONS));
      }
    }
    if (o.containsKey("dir")) {
      run(Path.of(o.get("dir")), rows, arrayRows, classes, groups, repeat, warmup, memoryGroups,
          only, timestamps);
      return;
    }
    Path dir = Files.createTempDirectory("spark-bce-bench");
    // Interrupted (Ctrl-C, kill): Spark deletes it at shutdown, after stopping its context.
    org.apache.spark.util.ShutdownHookManager.registerShutdownDeleteDir(dir.toFile());
    // And once more after Spark's hooks: see InterruptCleanup.
    InterruptCleanup.Registration onInterrupt = InterruptCleanup.register(() -> {
      boolean there = Files.exists(dir);
      if (there) {
        org.apache.spark.network.util.JavaUtils.deleteRecursively(dir.toFile());
      }
      return there;
    });
    try {
      run(dir, rows, arrayRows, classes, groups, repeat, warmup, memoryGroups, only, timestamps);
    } finally {
      org.apache.spark.network.util.JavaUtils.deleteRecursively(dir.toFile());
      onInterrupt.done();
    }
  }

  private static void run(Path dir, long rows, long arrayRows, int classes, int groups,
      int repeat, int warmup, int memoryGroups, String only, String timestamps)
      throws Exception {
    SparkSession spark = SparkSession.builder().appName("spark-bce-bench").getOrCreate();
    BceFunctions.register(spark);
    Benchmark b = new Benchmark(spark, repeat, warmup);
    System.out.printf(Locale.ROOT,
        "spark-bce benchmark: master %s, %d cores, data under %s, driver's kernel %s, rounding %s%n",
        spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(), dir,
        BlockKernel.selected().name(),
        LossRounding.SELECTED.name().toLowerCase(Locale.ROOT));
    if (only.contains("scalar") || only.contains("grouped") || only.contains("mllib")
        || only.contains("paths")) {
      b.scalarData(dir.resolve(scalarDirectory(timestamps)), rows, groups, timestamps);
    }
    if (only.contains("scalar")) {
      b.report("scalar: " + rows + " rows x (DOUBLE logit, DOUBLE label)", rows, List.of(
          new Query("baseline: SELECT sum(x) + sum(y)", "SELECT sum(x) + sum(y) FROM scalar"),
          new Query("bce_with_logits_loss(x, y)", "SELECT bce_with_logits_loss(x, y) FROM scalar"),
          b.rowPath("bce_with_logits_loss(x, y)", "SELECT bce_with_logits_loss(x, y) FROM scalar"),
          new Query("avg(bce_with_logits(x, y))",
              "SELECT avg(bce_with_logits(x, y)) FROM scalar"),
          new Query("hand-written SQL (Spark built-ins)",
              "SELECT avg(greatest(x, 0) - x * y + log1p(exp(-abs(x)))) FROM scalar")));
    }
    if (only.contains("paths")) {
      b.paths(dir, scalarDirectory(timestamps), rows, timestamps);
    }
    if (only.contains("mllib")) {
      b.mllib(dir.resolve("mllib"), rows);
    }
    if (only.contains("grouped")) {
      b.report("grouped: " + rows + " rows, " + groups + " groups", rows, List.of(
          new Query("baseline: sum(x) + sum(y) GROUP BY g",
              "SELECT g, sum(x) + sum(y) FROM scalar GROUP BY g"),
          new Query("bce_with_logits_loss(x, y) GROUP BY g",
              "SELECT g, bce_with_logits_loss(x, y) FROM scalar GROUP BY g"),
          b.rowPath("bce_with_logits_loss(x, y) GROUP BY g",
              "SELECT g, bce_with_logits_loss(x, y) FROM scalar GROUP BY g")));
    }
    if (only.contains("arrays")) {
      b.arrayData(dir.resolve("arrays"), arrayRows, classes);
      String pw = "array_repeat(2D, " + classes + ")";
      b.report("arrays: " + arrayRows + " rows x " + classes + " FLOAT classes, pos_weight",
          arrayRows * classes, List.of(
              new Query("baseline: SELECT sum(size(x) + size(y))",
                  "SELECT sum(size(x) + size(y)) FROM arrays"),
              new Query("bce_with_logits_loss(x, y, NULL, pw)",
                  "SELECT bce_with_logits_loss(x, y, NULL, " + pw + ") FROM arrays"),
              b.rowPath("bce_with_logits_loss(x, y, NULL, pw)",
                  "SELECT bce_with_logits_loss(x, y, NULL, " + pw + ") FROM arrays"),
              new Query("bce_with_logits_loss_per_class(x, y, NULL, pw)",
                  "SELECT bce_with_logits_loss_per_class(x, y, NULL, " + pw + ") FROM arrays"),
              new Query("hand-written SQL (zip_with/aggregate)",
                  "SELECT sum(aggregate(zip_with(zip_with(x, y, (a, b) -> struct(a, b)), " + pw
                      + ", (e, p) -> (1 - e.b) * e.a + (1 + (p - 1) * e.b)"
                      + " * (log1p(exp(-abs(e.a))) + greatest(-e.a, 0))), 0D, (s, v) -> s + v))"
                      + " / (count(*) * " + classes + ") FROM arrays")));
    }
    if (only.contains("memory")) {
      b.memory(dir.resolve("memory"), memoryGroups, classes);
    }
    spark.stop();
  }

  /**
   * State per group is O(C): many groups of per-class states must aggregate in a small heap
   * (run with -Xmx1g / --driver-memory 1g to check the README's claim).
   */
  private void memory(Path path, int groups, int classes) {
    long rows = groups * 20L;
    if (!Files.exists(path)) {
      spark.sql("SELECT id % " + groups + " AS g, transform(sequence(1, " + classes + "), "
          + LOGIT + ") AS x, transform(sequence(1, " + classes + "), " + LABEL + ") AS y"
          + " FROM range(" + rows + ")")
          .write().mode(SaveMode.Overwrite).parquet(path.toString());
    }
    spark.read().parquet(path.toString()).createOrReplaceTempView("memory");
    long t0 = System.nanoTime();
    long n = spark.sql("SELECT g, bce_with_logits_loss_per_class(x, y) AS pc FROM memory GROUP BY g")
        .where("size(pc) = " + classes).count();
    System.out.printf(Locale.ROOT, "%n== memory: %d groups x %d classes (%d rows) in a %d MiB heap:"
        + " %d groups aggregated in %.1f s%n", groups, classes, rows,
        Runtime.getRuntime().maxMemory() >> 20, n, (System.nanoTime() - t0) / 1e9);
    if (n != groups) {
      throw new IllegalStateException("expected " + groups + " groups, got " + n);
    }
  }

  /** The scalar rows' directory: one per timestamp encoding, so that --dir keeps both. */
  private static String scalarDirectory(String timestamps) {
    return timestamps.equals("int96") ? "scalar" : "scalar-" + timestamps;
  }

  private void scalarData(Path path, long rows, int groups, String timestamps) {
    if (!Files.exists(path)) {
      spark.conf().set("spark.sql.parquet.outputTimestampType",
          timestamps.equals("int96") ? "INT96" : "TIMESTAMP_MICROS");
      // ts: 7 days in the order of the rows, as event data is written; day = to_date(ts).
      spark.sql("SELECT x, y, g, ts, to_date(ts) AS day FROM (SELECT randn(1) * 3 AS x,"
          + " CAST(rand(2) < 0.3 AS DOUBLE) AS y, id % " + groups + " AS g,"
          + " timestamp_seconds(1767225600 + id * 604800 DIV " + rows + ") AS ts"
          + " FROM range(" + rows + "))").write().mode(SaveMode.Overwrite)
          .parquet(path.toString());
    }
    spark.read().parquet(path.toString()).createOrReplaceTempView("scalar");
  }

  private void arrayData(Path path, long rows, int classes) {
    if (!Files.exists(path)) {
      spark.sql("SELECT transform(sequence(1, " + classes + "), " + LOGIT + ") AS x,"
          + " transform(sequence(1, " + classes + "), " + LABEL + ") AS y FROM range(" + rows + ")")
          .write().mode(SaveMode.Overwrite).parquet(path.toString());
    }
    spark.read().parquet(path.toString()).createOrReplaceTempView("arrays");
  }

  /**
   * The paths of issue 12. Every ratio is to the bare scan (the first query); the peer column is
   * the ratio to the scan with the same filter or grouping, for monitor to the scan that also
   * reads ts (Spark decodes INT96 timestamps value by value, which costs more than x and y).
   */
  private void paths(Path dir, String scalar, long rows, String timestamps) {
    String where = " WHERE y >= 0 AND x > -1e300";
    String data = dir.resolve(scalar).toString();
    String out = dir.resolve("jobs").toString();
    List<String> evaluate = List.of("--input", data, "--logits", "x", "--labels", "y",
        "--output", out + "/evaluate");
    List<String> monitor = List.of("--input", data, "--logits", "x", "--labels", "y",
        "--time-col", "ts", "--window", "1 day", "--history", out + "/monitor/history",
        "--report", out + "/monitor/report.html");
    List<String> byDay = new ArrayList<>(evaluate);
    byDay.addAll(List.of("--group-by", "day"));
    Query scanDay = new Query("scan: sum(x) + sum(y) GROUP BY day",
        "SELECT day, sum(x) + sum(y) FROM scalar GROUP BY day");
    Query scanWindow = new Query("scan: sum(x) + sum(y) GROUP BY window",
        "SELECT window(ts, '1 day'), sum(x) + sum(y) FROM scalar GROUP BY window(ts, '1 day')");
    // What reading ts costs the scan: the floor of every path that reads it (windows, monitor).
    Query scanTs = new Query("scan: max(ts), sum(x) + sum(y)",
        "SELECT max(ts), sum(x) + sum(y) FROM scalar");
    Query scanWhere = new Query("scan: sum(x) + sum(y) WHERE", "SELECT sum(x) + sum(y) FROM scalar"
        + where);
    report("paths: " + rows + " rows x (DOUBLE x, DOUBLE y, TIMESTAMP ts over 7 days stored as "
        + timestamps + ", DATE day);"
        + " filter" + where, rows, List.of(
        new Query("baseline: SELECT sum(x) + sum(y)", "SELECT sum(x) + sum(y) FROM scalar"),
        new Query("bce_with_logits_loss(x, y)", "SELECT bce_with_logits_loss(x, y) FROM scalar"),
        scanWhere,
        new Query("bce_with_logits_loss(x, y) WHERE",
            "SELECT bce_with_logits_loss(x, y) FROM scalar" + where).beside(scanWhere),
        scanDay,
        new Query("bce_with_logits_loss(x, y) GROUP BY day",
            "SELECT day, bce_with_logits_loss(x, y) FROM scalar GROUP BY day").beside(scanDay),
        scanTs,
        scanWindow,
        new Query("bce_with_logits_loss(x, y) GROUP BY window",
            "SELECT window(ts, '1 day'), bce_with_logits_loss(x, y) FROM scalar"
                + " GROUP BY window(ts, '1 day')").beside(scanWindow),
        new Query("evaluate", () -> Jobs.evaluate(spark, evaluate)),
        new Query("evaluate --group-by day",
            () -> Jobs.evaluate(spark, byDay)).beside(scanDay),
        new Query("monitor --window '1 day'", () -> Jobs.monitor(spark, monitor))
            .beside(scanTs)));
  }

  /** MLlib's logLoss on the same rows as probability vectors; compared with bce_loss on them. */
  private void mllib(Path path, long rows) {
    if (!Files.exists(path)) {
      spark.sql("SELECT array(1 - q, q) AS pq, q, y AS label, IF(q > 0.5, 1D, 0D) AS prediction FROM"
          + " (SELECT 1 / (1 + exp(-x)) AS q, y FROM scalar)")
          .withColumn("probability", org.apache.spark.ml.functions.array_to_vector(
              org.apache.spark.sql.functions.col("pq")))
          .drop("pq").write().mode(SaveMode.Overwrite).parquet(path.toString());
    }
    Dataset<Row> df = spark.read().parquet(path.toString());
    df.createOrReplaceTempView("mllib");
    MulticlassClassificationEvaluator evaluator = new MulticlassClassificationEvaluator()
        .setMetricName("logLoss").setProbabilityCol("probability").setLabelCol("label");
    report("mllib: " + rows + " rows as probability vectors", rows, List.of(
        new Query("baseline: SELECT sum(q) + sum(label)", "SELECT sum(q) + sum(label) FROM mllib"),
        new Query("bce_loss(q, label)", "SELECT bce_loss(q, label) FROM mllib"),
        new Query("MulticlassClassificationEvaluator(logLoss)", () -> evaluator.evaluate(df))));
  }

  /**
   * The same query on Spark's own partial aggregation (ObjectHashAggregate) instead of
   * spark-bce's columnar one, to show what the latter buys.
   */
  private Query rowPath(String name, String sql) {
    return new Query(name + " [row path]", () -> {
      spark.conf().set(ColumnarAggregateRule.ENABLED, "false");
      try {
        spark.sql(sql).collectAsList();
      } finally {
        spark.conf().set(ColumnarAggregateRule.ENABLED, "true");
      }
    });
  }

  private void report(String title, long elements, List<Query> queries) {
    System.out.println();
    System.out.println("== " + title);
    Map<String, Double> best = new LinkedHashMap<>();
    for (int round = 0; round < warmup + repeat; round++) {
      for (Query q : queries) {
        long t0 = System.nanoTime();
        q.run(spark);
        double s = (System.nanoTime() - t0) / 1e9;
        if (round >= warmup) {
          best.merge(q.name, s, Math::min);
        }
      }
    }
    double baseline = best.values().iterator().next();
    System.out.printf(Locale.ROOT, "%-52s %9s %14s %10s %10s%n", "query", "best s", "elements/s",
        "x baseline", "x peer");
    for (Query q : queries) {
      double t = best.get(q.name);
      String peer = q.peer == null ? "" : String.format(Locale.ROOT, "%.2f", best.get(q.peer) / t);
      System.out.printf(Locale.ROOT, "%-52s %9.3f %14.3e %10.2f %10s%n", q.name, t,
          elements / t, baseline / t, peer);
    }
  }

  /** {@code --name value} pairs; anything else (unknown, repeated, without a value) is an error. */
  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !OPTIONS.contains(name)) {
        throw new BadOption("unknown option '" + args[i] + "'; valid options are --"
            + String.join(", --", new java.util.TreeSet<>(OPTIONS)));
      }
      if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
        throw new BadOption("option --" + name + " needs a value");
      }
      if (o.put(name, args[++i]) != null) {
        throw new BadOption("option --" + name + " given twice");
      }
    }
    return o;
  }

  private static long positive(Map<String, String> o, String name, long fallback) {
    return atLeast(o, name, fallback, 1);
  }

  private static long atLeast(Map<String, String> o, String name, long fallback, long min) {
    String v = o.get(name);
    if (v == null) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(v.trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new BadOption("--" + name + " needs a whole number, got '" + v + "'");
    }
    if (n < min || (!name.contains("rows") && n > Integer.MAX_VALUE)) {
      throw new BadOption("--" + name + " must be at least " + min
          + (name.contains("rows") ? "" : " and fit an int") + ", got " + v);
    }
    return n;
  }

  /** One timed query: SQL text collected to the driver, or any action. */
  private static final class Query {
    final String name;
    final String sql;
    final Runnable action;
    /** The scan with the same filter or grouping, run in the same report, or null. */
    String peer;

    Query(String name, String sql) {
      this.name = name;
      this.sql = sql;
      this.action = null;
    }

    Query(String name, Runnable action) {
      this.name = name;
      this.sql = null;
      this.action = action;
    }

    Query beside(Query scan) {
      peer = scan.name;
      return this;
    }

    void run(SparkSession spark) {
      if (action != null) {
        action.run();
      } else {
        List<Row> r = new ArrayList<>(spark.sql(sql).collectAsList());
        if (r.isEmpty()) {
          throw new IllegalStateException("no result from " + sql);
        }
      }
    }
  }
}
