package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog tables of a Hive metastore (embedded Derby in a temp folder, spark-hive being a test
 * dependency): {@link Writer} saves them with {@code saveAsTable} in one JVM, and {@link Jobs}
 * runs the jobs' entry point in another, as a user would on another day: {@code evaluate --input
 * db.table}, {@code monitor} over a date-partitioned table with {@code --since/--until} (the
 * partitions outside the range hold a corrupt file, so reading one fails the job), and {@code sql}
 * over a permanent view calling the spark-bce functions. No SparkSession runs in the test JVM
 * itself; two JVMs only, because one with a Hive metastore takes long to start. Tagged
 * {@code cluster}: multi-JVM tests run in the cluster-tests execution.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CatalogTablesTest {
  private static final int ROWS = 2000;

  @TempDir
  static Path dir;

  /** What the writer computed over its tables, by name (doubles as CAST(... AS STRING)). */
  private static Map<String, String> written;

  record Result(int code, String out, String err) {}

  /** Spark settings shared by the writer and the jobs: one metastore, one warehouse. */
  static List<String> catalogConf(Path dir) {
    return List.of("spark.sql.catalogImplementation=hive",
        "spark.sql.warehouse.dir=" + dir.resolve("warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName="
            + dir.resolve("metastore_db") + ";create=true");
  }

  /** Each job's exit code and output, by command, from the {@link Jobs} JVM. */
  private static Map<String, Result> jobs;

  @BeforeAll
  @Timeout(value = 21, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void writeTablesThenRunTheJobsInAnotherJvm() throws Exception {
    Result r = java(Writer.class, "writer");
    assertEquals(0, r.code(), r.err());
    written = new java.util.TreeMap<>();
    for (String line : r.out().split("\n")) {
      if (line.startsWith("written ")) {
        String[] kv = line.substring(8).split("=", 2);
        written.put(kv[0], kv[1]);
      }
    }
    for (String k : List.of("scores.loss", "scores.rows", "view.2025-06-03", "control")) {
      assertTrue(written.containsKey(k), k + " in " + written + "; stderr:\n" + r.err());
    }
    Files.writeString(dir.resolve("view.sql"), "SELECT date, CAST(loss AS STRING) AS loss"
        + " FROM db.daily_loss WHERE date = DATE'2025-06-03';\n");
    Result all = java(Jobs.class, "jobs");
    jobs = new java.util.TreeMap<>();
    String[] outs = all.out().split(Jobs.MARK);
    String[] errs = all.err().split(Jobs.MARK);
    for (int i = 1; i < outs.length; i++) {
      String name = outs[i].substring(0, outs[i].indexOf('\n'));
      String code = outs[i].substring(outs[i].lastIndexOf("exit code ") + 10).trim();
      jobs.put(name, new Result(Integer.parseInt(code), outs[i],
          i < errs.length ? errs[i] : ""));
    }
    assertEquals(List.of("evaluate", "monitor", "sql"), new ArrayList<>(jobs.keySet()),
        "stdout:\n" + all.out() + "\nstderr:\n" + all.err());
  }

  /** A JVM with the test class path and catalog settings running {@code main}'s main. */
  private static Result java(Class<?> main, String name) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(moduleOptions());
    cmd.add("-Dderby.stream.error.file=" + dir.resolve("derby-" + name + ".log"));
    for (String c : catalogConf(dir)) {
      cmd.add("-D" + c);
    }
    cmd.addAll(List.of("-Dspark.master=local[2]", "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1", "-Dspark.sql.session.timeZone=UTC",
        "-Dspark.sql.extensions=io.sparkbce.BceSparkExtensions"));
    cmd.addAll(List.of("-cp", testClasspath(), main.getName(), dir.toString()));
    return run(new ProcessBuilder(cmd).directory(dir.toFile()), name);
  }

  @Test
  @Order(1)
  void evaluateReadsATableSavedByAnotherJvmByName() throws Exception {
    Path out = dir.resolve("eval");
    Result r = jobs.get("evaluate");
    assertEquals(0, r.code(), "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    JsonNode s = JobTesting.summary(out);
    assertEquals(Long.parseLong(written.get("scores.rows")), s.get("rows").asLong());
    assertEquals(Double.parseDouble(written.get("scores.loss")), s.get("loss").asDouble(),
        "the loss of the table as the writer's session computed it");
  }

  @Test
  @Order(2)
  void monitorPrunesTheTablesPartitionsWithSinceAndUntil() throws Exception {
    // The writer put a file that is not Parquet into the first and last days' partitions, and
    // reading the whole table failed on it.
    assertEquals("failed on the corrupt file", written.get("control"));
    Path history = dir.resolve("history");
    Result r = jobs.get("monitor");
    assertEquals(0, r.code(), "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    try (Stream<Path> s = Files.list(history)) {
      assertEquals(List.of("window_date=2025-06-02", "window_date=2025-06-03",
              "window_date=2025-06-04"),
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("window_date="))
              .sorted().collect(Collectors.toList()));
    }
  }

  @Test
  @Order(3)
  void aPermanentViewCallingTheFunctionsWorksInANewSession() throws Exception {
    Result r = jobs.get("sql");
    assertEquals(0, r.code(), "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    String loss = written.get("view.2025-06-03");
    assertTrue(r.out().contains("|2025-06-03|" + loss + "|"), "'" + loss + "' in:\n" + r.out());
  }

  private static Result run(ProcessBuilder pb, String what) throws Exception {
    Path out = dir.resolve("stdout-" + System.nanoTime());
    Path err = dir.resolve("stderr-" + System.nanoTime());
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      // Generous: a JVM creating a Derby metastore took 11 minutes on a 2-core machine shared by
      // several builds (load 25); about a minute when the machine is free.
      if (!p.waitFor(600, TimeUnit.SECONDS)) {
        throw new AssertionError(what + " timed out; stderr:\n" + Files.readString(err));
      }
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  /** Spark's --add-opens and the Vector API module, as this JVM got them. */
  static List<String> moduleOptions() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules")
            || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty"))
        .collect(Collectors.toList());
  }

  /**
   * The first session: saves {@code db.scores} and the date-partitioned {@code db.events} with
   * {@code saveAsTable}, creates the view {@code db.daily_loss}, and prints what it computes over
   * them ({@code written NAME=VALUE}).
   */
  public static final class Writer {
    public static void main(String[] args) throws java.io.IOException {
      SparkSession spark = SparkSession.builder().appName("writer").getOrCreate();
      try {
        spark.sql("CREATE DATABASE db");
        var data = spark.sql("SELECT id, date_add(DATE'2025-06-01', CAST(id % 5 AS INT)) AS date,"
            + " transform(sequence(0, 3), i -> (xxhash64(id, i) / 9.223372036854775807E18D) * 8D)"
            + "   AS logits,"
            + " transform(sequence(0, 3), i -> CAST(pmod(xxhash64(id, i, 2), 3) = 0 AS DOUBLE))"
            + "   AS labels FROM range(0, " + ROWS + ", 1, 4)");
        data.write().mode(SaveMode.ErrorIfExists).saveAsTable("db.scores");
        data.write().partitionBy("date").saveAsTable("db.events");
        spark.sql("CREATE VIEW db.daily_loss AS SELECT date,"
            + " bce_with_logits_loss(logits, labels) AS loss FROM db.events GROUP BY date");
        Row s = spark.sql("SELECT count(*), CAST(bce_with_logits_loss(logits, labels) AS STRING)"
            + " FROM db.scores").first();
        System.out.println("written scores.rows=" + s.getLong(0));
        System.out.println("written scores.loss=" + s.getString(1));
        for (Row v : spark.sql("SELECT CAST(date AS STRING), CAST(loss AS STRING)"
            + " FROM db.daily_loss").collectAsList()) {
          System.out.println("written view." + v.getString(0) + "=" + v.getString(1));
        }
        // The first and last days get a file that is not Parquet: reading them fails a query.
        java.net.URI events = java.net.URI.create(spark.sql("DESCRIBE TABLE EXTENDED db.events")
            .where("col_name = 'Location'").first().getString(1));
        for (String day : List.of("2025-06-01", "2025-06-05")) {
          Files.writeString(Path.of(events).resolve("date=" + day)
              .resolve("part-99999-corrupt.snappy.parquet"), "not parquet");
        }
        spark.sql("REFRESH TABLE db.events");
        try {
          spark.table("db.events").selectExpr("sum(size(logits))").collectAsList();
          System.out.println("written control=read");
        } catch (Exception e) {
          System.out.println("written control=" + (String.valueOf(e.getMessage())
              .contains("part-99999-corrupt") ? "failed on the corrupt file" : e.getMessage()));
        }
      } finally {
        spark.stop();
      }
    }
  }

  /**
   * The second JVM: the jobs' entry point ({@link Main#run}) on one session built from the same
   * settings, as {@code Main.main} builds it; each job's output starts with {@link #MARK}.
   */
  public static final class Jobs {
    static final String MARK = "\n=== job ";

    public static void main(String[] args) {
      Path dir = Path.of(args[0]);
      String common = "--logits logits --labels labels";
      List<String> commands = List.of(
          "evaluate --input db.scores " + common + " --output " + dir.resolve("eval"),
          "monitor --input db.events " + common + " --time-col date --window 1day --since"
              + " 2025-06-02 --until 2025-06-05 --history " + dir.resolve("history"),
          "sql " + dir.resolve("view.sql"));
      Main.Session session = new Main.Session("catalog tests", System.err);
      try {
        for (String c : commands) {
          String[] a = c.replace("1day", "1\u0000day").split(" ");
          for (int i = 0; i < a.length; i++) {
            a[i] = a[i].replace('\u0000', ' ');
          }
          System.out.print(MARK + a[0] + "\n");
          System.err.print(MARK + a[0] + "\n");
          int code = Main.run(session, System.out, System.err, a);
          System.out.println("exit code " + code);
        }
      } finally {
        session.stop();
      }
    }
  }
}
