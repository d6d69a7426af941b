package io.sparkbce.cluster;

import static io.sparkbce.cluster.ClusterSupport.assumeClusterJvm;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.cluster.ClusterData.Result;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
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
  @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aggregatesWorkWhenTheJarIsShippedBySpark() throws Exception {
    assumeClusterJvm();
    Result expected;
    SparkSession local = ClusterSupport.startLocal1("spark-bce jar deployment reference");
    try {
      expected = ClusterData.collect(local.sql(QUERY + " GROUP BY 1"));
    } finally {
      ClusterSupport.stop(local);
    }
    Path jar = ClusterSupport.workDir("jars").resolve("spark-bce-under-test.jar");
    jarOf(mainClasses(), jar);
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

  /** target/classes: the project's main classes, as the build puts them in its jar. */
  private static Path mainClasses() {
    List<Path> dirs = ClusterSupport.testClasspath().stream()
        .filter(ClusterSupport::isProjectClasses).map(Paths::get)
        .filter(p -> Files.exists(p.resolve("io/sparkbce/BceFunctions.class")))
        .collect(Collectors.toList());
    assertTrue(dirs.size() == 1, "one folder with the main classes on the class path: " + dirs);
    return dirs.get(0);
  }

  private static void jarOf(Path classes, Path jar) throws IOException {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar,
            '/')));
        Files.copy(f, j);
        j.closeEntry();
      }
    }
  }
}
