package io.sparkbce.bench;

import io.sparkbce.BceFunctions;
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
 * data under a temp dir, runs each query {@code --repeat} times and keeps the fastest.
 *
 * <pre>./submit.sh bench [--rows 20000000] [--array-rows 1000000] [--classes 64]
 *     [--groups 10000] [--repeat 3] [--only scalar,arrays,grouped,mllib] [--dir PATH]</pre>
 */
public final class Benchmark {
  /** Deterministic pseudo-random class values (rand() takes no per-element seed in a lambda). */
  private static final String LOGIT = "c -> CAST((hash(id, c) % 10007) / 1667D AS FLOAT)";
  private static final String LABEL = "c -> CAST(pmod(hash(c, id), 5) = 0 AS FLOAT)";
  private final SparkSession spark;
  private final int repeat;

  private Benchmark(SparkSession spark, int repeat) {
    this.spark = spark;
    this.repeat = repeat;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    long rows = Long.parseLong(o.getOrDefault("rows", "20000000"));
    long arrayRows = Long.parseLong(o.getOrDefault("array-rows", "1000000"));
    int classes = Integer.parseInt(o.getOrDefault("classes", "64"));
    int groups = Integer.parseInt(o.getOrDefault("groups", "10000"));
    int repeat = Integer.parseInt(o.getOrDefault("repeat", "3"));
    String only = o.getOrDefault("only", "scalar,arrays,grouped,mllib");
    Path dir = o.containsKey("dir") ? Path.of(o.get("dir"))
        : Files.createTempDirectory("spark-bce-bench");
    SparkSession spark = SparkSession.builder().appName("spark-bce-bench").getOrCreate();
    BceFunctions.register(spark);
    Benchmark b = new Benchmark(spark, repeat);
    System.out.printf(Locale.ROOT, "spark-bce benchmark: master %s, %d cores, data under %s%n",
        spark.sparkContext().master(), Runtime.getRuntime().availableProcessors(), dir);
    if (only.contains("scalar") || only.contains("grouped") || only.contains("mllib")) {
      b.scalarData(dir.resolve("scalar"), rows, groups);
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
      b.memory(dir.resolve("memory"), Integer.parseInt(o.getOrDefault("memory-groups", "100000")),
          classes);
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

  private void scalarData(Path path, long rows, int groups) {
    if (!Files.exists(path)) {
      spark.sql("SELECT randn(1) * 3 AS x, CAST(rand(2) < 0.3 AS DOUBLE) AS y, id % " + groups
          + " AS g FROM range(" + rows + ")").write().mode(SaveMode.Overwrite)
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
    for (Query q : queries) {
      double fastest = Double.MAX_VALUE;
      for (int i = 0; i < repeat; i++) {
        long t0 = System.nanoTime();
        q.run(spark);
        fastest = Math.min(fastest, (System.nanoTime() - t0) / 1e9);
      }
      best.put(q.name, fastest);
    }
    double baseline = best.values().iterator().next();
    System.out.printf(Locale.ROOT, "%-52s %9s %14s %10s%n", "query", "best s", "elements/s",
        "x baseline");
    for (Map.Entry<String, Double> e : best.entrySet()) {
      System.out.printf(Locale.ROOT, "%-52s %9.3f %14.3e %10.2f%n", e.getKey(), e.getValue(),
          elements / e.getValue(), baseline / e.getValue());
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }

  /** One timed query: SQL text collected to the driver, or any action. */
  private static final class Query {
    final String name;
    final String sql;
    final Runnable action;

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
