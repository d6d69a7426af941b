package io.sparkbce.cluster;

import static io.sparkbce.cluster.ClusterSupport.assumeClusterJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./submit.sh evaluate | monitor | sql --master spark://...} through a real spark-submit
 * onto a standalone cluster of separate JVMs ({@link StandaloneCluster}): the project jar reaches
 * the executors only as spark-submit's application jar. Each result equals, bit for bit, the same
 * command's result on the embedded Spark ({@code submit.sh} without spark-submit, local[*]); an
 * executor JVM killed in the middle of an evaluate is replaced by the Worker and the summary keeps
 * its bits; and {@code conf/log4j2.properties} quiets the driver in spark-submit mode too.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SparkSubmitClusterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Path dir;
  private static Path jar;
  private static Path data;
  private static StandaloneCluster cluster;

  record Run(int code, String out, String err) {
    Run assertOk(String what) {
      assertEquals(0, code, () -> what + ": stdout:\n" + out + "\nstderr:\n" + err);
      return this;
    }
  }

  @BeforeAll
  @Timeout(value = 10, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void dataJarAndCluster() throws Exception {
    assumeClusterJvm();
    dir = ClusterSupport.workDir("standalone");
    org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile()); // an earlier run's outputs
    Files.createDirectories(dir);
    jar = ClusterSupport.projectJar(dir.resolve("spark-bce-under-test.jar"));
    data = dir.resolve("scores");
    SparkSession local = ClusterSupport.startLocal1("spark-bce standalone test data");
    try {
      // 24 files: the evaluate's stages have enough tasks for an executor to die in the middle.
      local.sql("SELECT id, CAST(id % 3 AS STRING) AS model,"
          + " TIMESTAMP'2025-06-01 00:00:00' + make_interval(0, 0, 0, 0, CAST(id % 96 AS INT))"
          + "   AS ts,"
          + " transform(sequence(0, 15), i -> (xxhash64(id, i) / 9.223372036854775807E18D) * 12D)"
          + "   AS logits,"
          + " transform(sequence(0, 15), i -> CAST(pmod(xxhash64(id, i, 2), 4) = 0 AS DOUBLE))"
          + "   AS labels,"
          + " 0.25D + pmod(xxhash64(id, 3), 8) / 4D AS w"
          + " FROM range(0, 24000, 1, 24)").write().parquet(data.toString());
    } finally {
      ClusterSupport.stop(local);
    }
    cluster = StandaloneCluster.start(dir, 2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String[] evaluateArgs(String out) {
    return new String[] {"evaluate", "--input", data.toString(), "--logits", "logits",
        "--labels", "labels", "--weight", "w", "--pos-weight", "auto", "--group-by", "model",
        "--per-class", "--output", out};
  }

  @Test
  @Order(1)
  void evaluateOnTheClusterGivesTheEmbeddedBits() throws Exception {
    Path embedded = dir.resolve("eval-embedded");
    Path submitted = dir.resolve("eval-cluster");
    Run e = embedded(evaluateArgs(embedded.toString())).assertOk("embedded evaluate");
    Run c = submitted(evaluateArgs(submitted.toString())).assertOk("spark-submit evaluate");
    assertSameSummary(embedded, submitted);
    assertEquals(e.out().lines().filter(l -> l.contains("|")).collect(Collectors.toList()),
        c.out().lines().filter(l -> l.contains("|")).collect(Collectors.toList()),
        "the printed tables");
    assertQuietDriver(c);
    assertFalse(cluster.executorDirs().isEmpty(), "the Worker ran an executor for the app");
  }

  @Test
  @Order(2)
  void monitorOnTheClusterGivesTheEmbeddedHistory() throws Exception {
    List<Path> histories = new ArrayList<>();
    for (String mode : List.of("embedded", "cluster")) {
      Path out = dir.resolve("monitor-" + mode);
      String[] args = {"monitor", "--input", data.toString(), "--logits", "logits", "--labels",
          "labels", "--weight", "w", "--time-col", "ts", "--window", "1 day", "--group-by",
          "model", "--history", out.resolve("history").toString(), "--report",
          out.resolve("report.html").toString()};
      Run r = mode.equals("embedded") ? embedded(args) : submitted(args);
      r.assertOk("monitor " + mode);
      if (mode.equals("cluster")) {
        assertQuietDriver(r);
      }
      histories.add(out.resolve("history"));
    }
    SparkSession local = ClusterSupport.startLocal1("spark-bce history reader");
    List<List<String>> embedded;
    List<List<String>> submitted;
    try {
      embedded = history(local, histories.get(0));
      submitted = history(local, histories.get(1));
    } finally {
      ClusterSupport.stop(local);
    }
    assertEquals(4 * 3, embedded.size(), "4 days x 3 models: " + embedded);
    assertEquals(embedded, submitted, "history on the cluster vs. embedded");
  }

  @Test
  @Order(3)
  void sqlOnTheClusterPrintsTheEmbeddedResults() throws Exception {
    String query = "SELECT model, bce_with_logits_loss(logits, labels, w, 2.5D, 'sum') AS s,"
        + " bce_with_logits_loss_per_class(logits, labels) AS c, bce_pos_weight(labels) AS p"
        + " FROM parquet.`" + data + "` GROUP BY model ORDER BY model";
    Run e = embedded("sql", "--execute", query).assertOk("embedded sql");
    Run c = submitted("sql", "--execute", query).assertOk("spark-submit sql");
    assertTrue(e.out().contains("|model|"), e.out());
    assertEquals(e.out(), c.out());
    assertQuietDriver(c);
  }

  /**
   * The executor JVM is killed (SIGKILL) once it runs tasks of the evaluate; the Worker starts a
   * new one for the application and the summary has the embedded run's bits.
   */
  @Test
  @Order(4)
  void anExecutorKilledInTheMiddleOfAnEvaluateIsReplacedAndTheBitsStay() throws Exception {
    Path embedded = dir.resolve("eval-embedded");
    Path submitted = dir.resolve("eval-killed");
    List<Path> appsBefore = cluster.appDirs();
    Started started = start(submitCommand(evaluateArgs(submitted.toString())), true);
    Process p = started.process();
    List<Long> killed = new ArrayList<>();
    Path app = null;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (killed.isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
        // Only this submission's application: an executor of the previous test's application
        // may still be shutting down, and its stderr has "Running task" too.
        if (app == null) {
          app = cluster.appDirs().stream().filter(a -> !appsBefore.contains(a)).findFirst()
              .orElse(null);
        }
        List<Path> dirs = app == null ? List.of() : StandaloneCluster.executorDirsOf(app);
        Path stderr = dirs.isEmpty() ? null : dirs.get(0).resolve("stderr");
        if (stderr != null && Files.exists(stderr)
            && Files.readString(stderr).contains("Running task")) {
          for (ProcessHandle h : cluster.executorsOf(app.getFileName().toString())) {
            killed.add(h.pid());
            h.destroyForcibly();
          }
        }
        Thread.sleep(50);
      }
      assertFalse(killed.isEmpty(), "an executor of " + app + " was killed while the evaluate ran");
      Run r = finish(started, 420, "spark-submit evaluate with an executor killed");
      r.assertOk("spark-submit evaluate with an executor killed");
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    assertTrue(StandaloneCluster.executorDirsOf(app).size() >= 2,
        "the Worker started another executor for " + app + ": "
            + StandaloneCluster.executorDirsOf(app));
    assertSameSummary(embedded, submitted);
  }

  private static void assertSameSummary(Path expected, Path got) throws IOException {
    JsonNode a = JSON.readTree(Files.readString(expected.resolve("summary.json")));
    JsonNode b = JSON.readTree(Files.readString(got.resolve("summary.json")));
    for (String f : List.of("rows", "rows_used", "elements", "pos_weight", "groups")) {
      assertTrue(a.has(f), f + " in " + a);
      assertEquals(a.get(f), b.get(f), f + " of the summary");
    }
  }

  /** No INFO line from Spark on the console: the driver used conf/log4j2.properties. */
  private static void assertQuietDriver(Run r) {
    List<String> info = r.err().lines().filter(l -> l.contains(" INFO ")).limit(5)
        .collect(Collectors.toList());
    assertTrue(info.isEmpty(), "INFO lines on stderr in spark-submit mode: " + info);
  }

  /**
   * The history's rows as text: window, segment, counts, and every double (loss, weighted mean,
   * per-class losses and positives) as its raw IEEE bits.
   */
  private static List<List<String>> history(SparkSession local, Path history) {
    List<List<String>> rows = new ArrayList<>();
    for (Row r : local.read().parquet(history.toString())
        .select("window_start", "segment", "rows_used", "elements", "loss", "weighted_mean_loss",
            "loss_per_class", "positives_per_class")
        .orderBy("window_start", "segment").collectAsList()) {
      List<String> cells = new ArrayList<>();
      for (int i = 0; i < r.size(); i++) {
        Object v = r.get(i);
        if (v instanceof scala.collection.Seq<?>) {
          cells.add(r.getList(i).stream().map(SparkSubmitClusterTest::bits)
              .collect(Collectors.joining(",", "[", "]")));
        } else {
          cells.add(bits(v));
        }
      }
      rows.add(cells);
    }
    return rows;
  }

  private static String bits(Object v) {
    return v instanceof Double d ? Long.toHexString(Double.doubleToRawLongBits(d))
        : String.valueOf(v);
  }

  private static Run embedded(String... args) throws Exception {
    return finish(start(submitScript(args), false), 420, "embedded " + args[0]);
  }

  private static Run submitted(String... args) throws Exception {
    return finish(start(submitCommand(args), true), 420, "spark-submit " + args[0]);
  }

  private static List<String> submitScript(String... args) {
    List<String> cmd = new ArrayList<>(List.of("bash",
        Path.of("submit.sh").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static List<String> submitCommand(String... args) {
    List<String> cmd = submitScript(args);
    cmd.addAll(List.of("--master", cluster.masterUrl, "--conf", "spark.executor.memory=1g"));
    return cmd;
  }

  /**
   * submit.sh with the jar built from target/classes. Embedded: no SPARK_HOME, this JVM's
   * dependency class path. spark-submit: the cluster's SPARK_HOME, nothing else.
   */
  private static Started start(List<String> cmd, boolean sparkSubmit) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("SPARK_"));
    env.put("SPARK_BCE_JAR", jar.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    if (sparkSubmit) {
      env.putAll(cluster.environment());
    } else {
      env.put("SPARK_BCE_CLASSPATH", String.join(java.io.File.pathSeparator,
          ClusterSupport.filter(ClusterSupport.testClasspath(),
              e -> !ClusterSupport.isProjectClasses(e))));
    }
    String name = cmd.get(2) + "-" + System.nanoTime();
    Path out = dir.resolve(name + ".out");
    Path err = dir.resolve(name + ".err");
    return new Started(pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out,
        err);
  }

  private static Run finish(Started s, long seconds, String what) throws Exception {
    Process p = s.process();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new AssertionError(what + " did not finish within " + seconds + " s");
      }
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    return new Run(p.exitValue(), Files.readString(s.out(), StandardCharsets.UTF_8),
        Files.readString(s.err(), StandardCharsets.UTF_8));
  }

  /** A running submit.sh and the files its stdout and stderr go to. */
  record Started(Process process, Path out, Path err) {}
}
