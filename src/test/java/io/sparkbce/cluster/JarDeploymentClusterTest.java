package io.sparkbce.cluster;

import static io.sparkbce.cluster.ClusterSupport.assumeClusterJvm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.cluster.ClusterData.Result;
import io.sparkbce.udf.ExecutorJarCheck;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The way spark-submit deploys an application jar (or {@code --jars}, {@code spark.jars}): the
 * executors' JVM class path has Spark only, and this project's classes come from the jar through
 * Spark's own class loader. The aggregates' partial states cross the shuffle and are read back
 * there, so this is where a class the executor cannot resolve shows up.
 *
 * <p>The data need no files and avoid the vector kernel (scalar rows, 3-class arrays), so this
 * test is about deployment only.
 */
@Tag("cluster")
class JarDeploymentClusterTest {
  private static final String QUERY = "SELECT CAST(id % 3 AS INT) AS g,"
      + " bce_with_logits_loss(x, y) AS mean,"
      + " bce_with_logits_loss(x, y, w, 2D, 'sum') AS sum,"
      + " bce_with_logits_loss(x, y, w, NULL, 'weighted_mean') AS wmean,"
      + " bce_loss(q, y) AS prob,"
      + " bce_with_logits_loss_per_class(array(x, -x, 2D * x), array(y, 1D - y, y), w,"
      + "   array(1D, 2D, 3D), 'mean') AS per_class,"
      + " bce_pos_weight(array(y, 1D - y)) AS pos_weight"
      + " FROM (SELECT id, (xxhash64(id, 1) / 9.223372036854775807E18D) * 20D AS x,"
      + "   CAST(pmod(xxhash64(id, 2), 3) = 0 AS DOUBLE) AS y,"
      + "   0.5D + pmod(xxhash64(id, 3), 10) / 10D AS w,"
      + "   pmod(xxhash64(id, 4), 1001) / 1000D AS q FROM range(0, 20000, 1, 8))";

  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aggregatesWorkWhenTheJarIsShippedBySpark() throws Exception {
    assumeClusterJvm();
    Result expected;
    SparkSession local = ClusterSupport.startLocal1("spark-bce jar deployment reference");
    try {
      expected = ClusterData.collect(local.sql(QUERY + " GROUP BY 1"));
    } finally {
      ClusterSupport.stop(local);
    }
    Path jar = ClusterSupport.projectJar(
        ClusterSupport.workDir("jars").resolve("spark-bce-under-test.jar"));
    List<String> sparkOnly = ClusterSupport.filter(
        ClusterSupport.testClasspath(), e -> !ClusterSupport.isProjectClasses(e));
    SparkSession cluster = ClusterSupport.startCluster("spark-bce shipped as a jar", sparkOnly,
        Map.of("spark.jars", jar.toUri().toString()));
    try {
      Result got = ClusterData.collect(cluster.sql(QUERY + " GROUP BY 1"));
      String diff = expected.difference(got);
      assertNull(diff, () -> "differs from local[1]: " + diff);
    } finally {
      ClusterSupport.stop(cluster);
    }
  }

  /**
   * The jar on the driver only (this JVM's class path) and not on the executors (no spark.jars):
   * the first query using a spark-bce function stops with a message naming the jar and --jars;
   * with that check off, the jobs translate the executors' own failure into the same message.
   */
  @Test
  @Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aJarMissingOnTheExecutorsIsNamed() throws Exception {
    assumeClusterJvm();
    List<String> sparkOnly = ClusterSupport.filter(
        ClusterSupport.testClasspath(), e -> !ClusterSupport.isProjectClasses(e));
    SparkSession cluster = ClusterSupport.startCluster("spark-bce missing on the executors",
        sparkOnly, Map.of("spark.task.maxFailures", "1"));
    try {
      for (String q : List.of(QUERY + " GROUP BY 1",
          "SELECT sum(bce_with_logits(id * 1D, 1D)) FROM range(0, 100, 1, 2)")) {
        Exception e = assertThrows(Exception.class, () -> cluster.sql(q).collectAsList());
        assertEquals(ExecutorJarCheck.MESSAGE, e.getMessage(), q);
      }
      assertTrue(ExecutorJarCheck.MESSAGE.contains("--jars")
          && ExecutorJarCheck.MESSAGE.contains("spark.jars")
          && ExecutorJarCheck.MESSAGE.contains("spark-bce jar"), ExecutorJarCheck.MESSAGE);

      cluster.conf().set(ExecutorJarCheck.ENABLED, "false");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = io.sparkbce.job.Main.run(() -> cluster,
          new PrintStream(OutputStream.nullOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8),
          "sql", "--execute", QUERY + " GROUP BY 1");
      String stderr = err.toString(StandardCharsets.UTF_8);
      assertEquals(1, code, stderr);
      assertTrue(stderr.contains(ExecutorJarCheck.MESSAGE), stderr);
    } finally {
      ClusterSupport.stop(cluster);
    }
  }
}
