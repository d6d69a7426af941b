package io.sparkbce.cluster;

import static io.sparkbce.BceFunctions.bceLoss;
import static io.sparkbce.BceFunctions.bcePosWeight;
import static io.sparkbce.BceFunctions.bceWithLogitsLoss;
import static io.sparkbce.BceFunctions.bceWithLogitsLossPerClass;
import static org.apache.spark.sql.functions.col;

import io.sparkbce.testing.Rows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The data and queries the cluster tests run twice, on local[1] and on the cluster, and the
 * bit-level form in which their results are compared.
 *
 * <p>Data are functions of the row id and class index only (xxhash64, not rand), written once per
 * run as Parquet under target/ and read by both applications.
 * <ul>
 *   <li>{@code multi}: 1,200 rows x 1,000 classes in 6 files: logits over [-40, 40] with NULL
 *       elements and NULL rows, 0/1 labels with some soft-label rows, probabilities including exact
 *       0 and 1, a row weight (sometimes NULL), and scalar columns for the (N,) shape.</li>
 *   <li>{@code wide}: 256 rows x 4,500 classes in 4 files, for a Java {@code double[]} pos_weight
 *       of more than 4,096 classes, which the Column API ships as a Spark broadcast; also read as
 *       MLlib vectors.</li>
 * </ul>
 */
final class ClusterData {
  static final int MULTI_ROWS = 1200;
  static final int MULTI_CLASSES = 1000;
  static final int WIDE_ROWS = 256;
  static final int WIDE_CLASSES = 4500;

  /**
   * A query's result: per row, its cells as text, doubles as their raw IEEE bits and arrays
   * spread over one cell per element, so that a difference names the exact element.
   */
  static final class Result {
    final List<List<String>> rows;

    Result(List<List<String>> rows) {
      this.rows = rows;
    }

    /** Null when equal, else where and how they first differ and how many cells differ. */
    String difference(Result other) {
      if (rows.size() != other.rows.size()) {
        return rows.size() + " rows expected, " + other.rows.size() + " got";
      }
      String first = null;
      int differing = 0;
      for (int r = 0; r < rows.size(); r++) {
        List<String> a = rows.get(r);
        List<String> b = other.rows.get(r);
        if (a.size() != b.size()) {
          return "row " + r + ": " + a.size() + " cells expected, " + b.size() + " got";
        }
        for (int c = 0; c < a.size(); c++) {
          if (!a.get(c).equals(b.get(c))) {
            differing++;
            if (first == null) {
              first = "row " + r + " (first cell " + a.get(0) + "), cell " + c + ": expected "
                  + a.get(c) + ", got " + b.get(c);
            }
          }
        }
      }
      return first == null ? null : differing + " cells differ; first: " + first;
    }

    int cells() {
      return rows.stream().mapToInt(List::size).sum();
    }
  }

  private ClusterData() {}

  static double[] multiPosWeight() {
    double[] p = new double[MULTI_CLASSES];
    for (int c = 0; c < p.length; c++) {
      p[c] = 0.5 + (c % 17) * 0.25;
    }
    return p;
  }

  static double[] widePosWeight() {
    double[] p = new double[WIDE_CLASSES];
    for (int c = 0; c < p.length; c++) {
      p[c] = 0.75 + (c % 13) * 0.125;
    }
    return p;
  }

  /** A pseudo-random double in [-1, 1) from a 64-bit hash of the arguments. */
  private static String unit(String args) {
    return "(xxhash64(" + args + ") / 9.223372036854775807E18D)";
  }

  static void write(SparkSession spark, Path multi, Path wide) {
    String c1 = String.valueOf(MULTI_CLASSES - 1);
    spark.sql("SELECT id, CAST(id % 7 AS INT) AS g, CAST(id % 300 AS INT) AS g300,"
            + " CASE WHEN id % 41 = 3 THEN NULL ELSE transform(sequence(0, " + c1 + "), i ->"
            + "   CASE WHEN pmod(xxhash64(id, i, 3), 211) = 0 THEN NULL"
            + "   ELSE " + unit("id, i, 1") + " * 40D END) END AS x,"
            + " transform(sequence(0, " + c1 + "), i ->"
            + "   CASE WHEN id % 53 = 0 THEN pmod(xxhash64(id, i, 4), 101) / 100D"
            + "   WHEN pmod(xxhash64(id, i, 2), 5) = 0 THEN 1D ELSE 0D END) AS y,"
            + " transform(sequence(0, " + c1 + "), i ->"
            + "   CASE WHEN pmod(xxhash64(id, i, 5), 97) = 0 THEN 0D"
            + "   WHEN pmod(xxhash64(id, i, 6), 89) = 0 THEN 1D"
            + "   ELSE 1D / (1D + exp(-" + unit("id, i, 1") + " * 12D)) END) AS q,"
            + " CASE WHEN id % 37 = 5 THEN NULL ELSE 0.25D + pmod(xxhash64(id, 7), 1000) / 500D END"
            + "   AS w,"
            + " " + unit("id, 8") + " * 30D AS xs,"
            + " CAST(pmod(xxhash64(id, 9), 3) = 0 AS DOUBLE) AS ys,"
            + " 1D / (1D + exp(-" + unit("id, 8") + " * 30D)) AS qs"
            + " FROM range(0, " + MULTI_ROWS + ", 1, 6)")
        .write().mode(SaveMode.Overwrite).parquet(multi.toString());
    String w1 = String.valueOf(WIDE_CLASSES - 1);
    spark.sql("SELECT id, CAST(id % 3 AS INT) AS g,"
            + " transform(sequence(0, " + w1 + "), i -> " + unit("id, i, 21") + " * 25D) AS x,"
            + " transform(sequence(0, " + w1 + "), i ->"
            + "   CASE WHEN pmod(xxhash64(id, i, 22), 4) = 0 THEN 1D ELSE 0D END) AS y,"
            + " 0.5D + pmod(xxhash64(id, 23), 100) / 100D AS w"
            + " FROM range(0, " + WIDE_ROWS + ", 1, 4)")
        .write().mode(SaveMode.Overwrite).parquet(wide.toString());
  }

  private static String sqlArray(double[] values) {
    return "array(" + java.util.Arrays.stream(values).mapToObj(v -> v + "D")
        .collect(Collectors.joining(", ")) + ")";
  }

  /** Every aggregate over the multi-label data, through SQL: alias and expression. */
  static Map<String, String> multiAggregatesSql() {
    String pw = sqlArray(multiPosWeight());
    Map<String, String> a = new LinkedHashMap<>();
    for (String r : List.of("mean", "sum", "weighted_mean")) {
      a.put("logits_" + r, "bce_with_logits_loss(x, y, w, " + pw + ", '" + r + "')");
      a.put("prob_" + r, "bce_loss(q, y, w, '" + r + "')");
      a.put("class_" + r, "bce_with_logits_loss_per_class(x, y, w, " + pw + ", '" + r + "')");
    }
    a.put("logits_default", "bce_with_logits_loss(x, y)");
    a.put("pos_weight", "bce_pos_weight(y)");
    a.put("scalar_mean", "bce_with_logits_loss(xs, ys, w, 2.5D, 'mean')");
    a.put("scalar_sum", "bce_with_logits_loss(xs, ys, NULL, NULL, 'sum')");
    a.put("scalar_prob_wmean", "bce_loss(qs, ys, w, 'weighted_mean')");
    a.put("scalar_pos_weight", "bce_pos_weight(ys)");
    return a;
  }

  /**
   * {@code SELECT [key,] aggregates FROM view [GROUP BY key]}; {@code wrap} rewrites each
   * aggregate expression (the fault tests wrap one in a UDF that runs in the reduce tasks).
   */
  static String multiSql(String view, String key, UnaryOperator<String> wrap) {
    StringBuilder b = new StringBuilder("SELECT ");
    if (key != null) {
      b.append(key).append(" AS k, ");
    }
    b.append(multiAggregatesSql().entrySet().stream()
        .map(e -> wrap.apply(e.getValue()) + " AS " + e.getKey())
        .collect(Collectors.joining(", ")));
    b.append(" FROM ").append(view);
    if (key != null) {
      b.append(" GROUP BY ").append(key);
    }
    return b.toString();
  }

  /** The same aggregates through the Column API, with the pos_weight as a Java double[]. */
  static List<Column> multiAggregatesColumns() {
    double[] pw = multiPosWeight();
    List<Column> a = new ArrayList<>();
    for (String r : List.of("mean", "sum", "weighted_mean")) {
      a.add(bceWithLogitsLoss(col("x"), col("y"), col("w"), pw, r));
      a.add(bceLoss(col("q"), col("y"), col("w"), r));
      a.add(bceWithLogitsLossPerClass(col("x"), col("y"), col("w"), pw, r));
    }
    a.add(bcePosWeight(col("y")));
    a.add(bceWithLogitsLoss(col("xs"), col("ys"), col("w"), new double[] {2.5}, "mean"));
    return a;
  }

  /** Aggregates over the wide data whose 4,500-class pos_weight is a Spark broadcast. */
  static List<Column> wideAggregatesColumns() {
    return wideAggregatesColumns(col("x"), col("y"));
  }

  /** The same over logits {@code x} and labels {@code y} of 4,500 classes, weight {@code w}. */
  static List<Column> wideAggregatesColumns(Column x, Column y) {
    double[] pw = widePosWeight();
    List<Column> a = new ArrayList<>();
    for (String r : List.of("mean", "sum", "weighted_mean")) {
      a.add(bceWithLogitsLoss(x, y, col("w"), pw, r));
    }
    a.add(bceWithLogitsLossPerClass(x, y, null, pw, "mean"));
    a.add(bcePosWeight(y));
    // MLlib vectors, as a model's rawPrediction column would hold them.
    a.add(bceWithLogitsLoss(org.apache.spark.ml.functions.array_to_vector(x),
        org.apache.spark.ml.functions.array_to_vector(y), col("w"), pw, "mean"));
    return a;
  }

  static Dataset<Row> aggregate(Dataset<Row> data, String key, List<Column> aggregates) {
    Column first = aggregates.get(0);
    Column[] rest = aggregates.subList(1, aggregates.size()).toArray(new Column[0]);
    return key == null ? data.agg(first, rest) : data.groupBy(col(key)).agg(first, rest);
  }

  /**
   * The queries compared bit for bit, by name. {@code multi} and {@code wide} are the data as
   * this application reads them (possibly repartitioned).
   */
  static Map<String, Result> runAll(SparkSession spark, Dataset<Row> multi, Dataset<Row> wide) {
    return run(spark, multi, wide, null);
  }

  /** The queries whose names are in {@code only} (all when null). */
  static Map<String, Result> run(
      SparkSession spark, Dataset<Row> multi, Dataset<Row> wide, Set<String> only) {
    multi.createOrReplaceTempView("multi");
    Map<String, Supplier<Result>> queries = new LinkedHashMap<>();
    // First, while the executors' JIT has not compiled the kernels yet: the element losses
    // themselves (hashed per row) must not depend on the JVM that computed them.
    queries.put("sql elementwise, hashed per row", () -> collect(spark.sql(
        "SELECT id, xxhash64(bce_with_logits(x, y, w, " + sqlArray(multiPosWeight()) + ")),"
            + " xxhash64(bce(q, y, w)), xxhash64(bce_with_logits_grad(x, y, w)),"
            + " bce_with_logits(xs, ys, w, 2.5D) FROM multi")));
    queries.put("sql ungrouped",
        () -> collect(spark.sql(multiSql("multi", null, UnaryOperator.identity()))));
    queries.put("sql grouped",
        () -> collect(spark.sql(multiSql("multi", "g", UnaryOperator.identity()))));
    // 200-300 keys per task: beyond the 128 at which ObjectHashAggregate sorts and spills states.
    queries.put("sql 300 groups", () -> collect(spark.sql(
        "SELECT g300, bce_with_logits_loss(xs, ys, w, 2.5D, 'sum'),"
            + " bce_with_logits_loss(xs, ys, w, NULL, 'weighted_mean'), bce_pos_weight(ys),"
            + " bce_loss(qs, ys) FROM multi GROUP BY g300")));
    queries.put("sql FLOAT arrays", () -> collect(spark.sql(
        "SELECT g, bce_with_logits_loss(CAST(x AS ARRAY<FLOAT>), CAST(y AS ARRAY<FLOAT>), w, "
            + sqlArray(multiPosWeight()) + ", 'sum'), bce_with_logits_loss_per_class("
            + "CAST(x AS ARRAY<FLOAT>), y, NULL, NULL, 'mean') FROM multi GROUP BY g")));
    queries.put("sql pos_weight from a scalar subquery", () -> collect(spark.sql(
        "SELECT g, bce_with_logits_loss(x, y, NULL, (SELECT bce_pos_weight(y) FROM multi)),"
            + " bce_with_logits_loss_per_class(x, y, w, (SELECT bce_pos_weight(y) FROM multi),"
            + " 'sum') FROM multi GROUP BY g")));
    queries.put("columns ungrouped",
        () -> collect(aggregate(multi, null, multiAggregatesColumns())));
    queries.put("columns grouped",
        () -> collect(aggregate(multi, "g", multiAggregatesColumns())));
    queries.put("broadcast pos_weight ungrouped", () -> collect(broadcastQuery(wide, null)));
    queries.put("broadcast pos_weight grouped", () -> collect(broadcastQuery(wide, "g")));
    Map<String, Result> out = new LinkedHashMap<>();
    queries.forEach((name, query) -> {
      if (only == null || only.contains(name)) {
        out.put(name, query.get());
      }
    });
    return out;
  }

  static Dataset<Row> broadcastQuery(Dataset<Row> wide, String key) {
    return assertBroadcast(aggregate(wide, key, wideAggregatesColumns()));
  }

  /** {@code q}, whose plan ships a 4,500-class pos_weight as a Spark broadcast. */
  static Dataset<Row> assertBroadcast(Dataset<Row> q) {
    String plan = q.queryExecution().executedPlan().treeString(true, false, Integer.MAX_VALUE,
        false, false); // every aggregate (toString stops at spark.sql.debug.maxToStringFields)
    if (!plan.contains("broadcast_pos_weight")) {
      throw new AssertionError("a pos_weight of " + WIDE_CLASSES + " classes should travel as a"
          + " Spark broadcast, plan: " + plan);
    }
    return q;
  }

  /** Collects and renders each row, sorted by their first column if it is a key (INT, BIGINT). */
  static Result collect(Dataset<Row> query) {
    List<Row> rows = new ArrayList<>(query.collectAsList());
    rows.sort(Comparator.comparingLong(r -> r.size() > 0 && (r.get(0) instanceof Integer
        || r.get(0) instanceof Long) ? ((Number) r.get(0)).longValue() : 0L));
    List<List<String>> out = new ArrayList<>();
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        String name = r.schema().fieldNames()[i];
        name = "#" + i + " " + (name.length() > 40 ? name.substring(0, 40) + "..." : name);
        render(name, Rows.toJava(r.get(i)), cells);
      }
      out.add(cells);
    }
    return new Result(out);
  }

  private static void render(String name, Object v, List<String> cells) {
    if (v instanceof List) {
      List<?> l = (List<?>) v;
      cells.add(name + ".length=" + l.size());
      for (int i = 0; i < l.size(); i++) {
        render(name + "[" + i + "]", l.get(i), cells);
      }
    } else if (v instanceof Double) {
      double d = (Double) v;
      cells.add(name + "=" + d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + ")");
    } else {
      cells.add(name + "=" + v);
    }
  }
}
