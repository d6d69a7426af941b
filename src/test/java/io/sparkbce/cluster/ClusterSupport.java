package io.sparkbce.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BceFunctions;
import io.sparkbce.loss.BlockKernel;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Assumptions;

/**
 * Starting and stopping the Spark applications of the cluster tests: a multi-process
 * {@code local-cluster[2,1,1024]} (a master and two workers inside this JVM, each worker launching
 * one executor JVM) and the single-threaded {@code local[1]} that computes the reference bits.
 *
 * <p>One JVM holds one SparkContext at a time, so these tests run in their own surefire execution
 * ({@code cluster-tests} in pom.xml, which sets {@value #CLUSTER_JVM} and the environment below);
 * the default execution's shared local[2] session never exists in that JVM.
 *
 * <p>No Spark distribution is needed: the workers want {@code $SPARK_HOME/jars} to exist (it may be
 * empty), and the executors get this JVM's test class path and module options explicitly. A wrong
 * class path makes executors die at start and the driver wait for them forever, hence
 * {@link #awaitExecutors} and a timeout on every test.
 */
final class ClusterSupport {
  /** Set to true by the cluster-tests execution only. */
  static final String CLUSTER_JVM = "sparkbce.clusterJvm";
  static final int EXECUTORS = 2;
  static final String MASTER = "local-cluster[" + EXECUTORS + ",1,1024]";

  private ClusterSupport() {}

  /** Skips (with the reason) when run outside the cluster-tests execution, e.g. by -Dtest=... */
  static void assumeClusterJvm() {
    Assumptions.assumeTrue(Boolean.getBoolean(CLUSTER_JVM),
        "multi-JVM cluster tests run only in the 'cluster-tests' surefire execution (own JVM,"
            + " SPARK_HOME set): mvn test, or mvn test-compile surefire:test@cluster-tests");
    Assumptions.assumeTrue(System.getenv("SPARK_HOME") != null,
        "SPARK_HOME must point at a folder whose jars/ may be empty (the pom sets it)");
  }

  /** The JVM's test class path, as surefire passes it (its booter jar hides it otherwise). */
  static List<String> testClasspath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    List<String> entries = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isBlank() && !e.contains("surefirebooter") && !e.contains("surefire/booter")) {
        entries.add(e);
      }
    }
    return entries;
  }

  /** This project's own class folders (target/classes, target/test-classes). */
  static boolean isProjectClasses(String entry) {
    return new File(entry).isDirectory();
  }

  /** The module options executors need: Spark's --add-opens and the Vector API module. */
  static String executorJavaOptions() {
    List<String> opts = new ArrayList<>();
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-modules")
          || arg.startsWith("-Djdk.reflect") || arg.startsWith("-Dio.netty")) {
        opts.add(arg);
      }
    }
    if (opts.stream().noneMatch(o -> o.contains("jdk.incubator.vector"))) {
      opts.add("--add-modules=jdk.incubator.vector");
    }
    return String.join(" ", opts);
  }

  /** {@code $SPARK_HOME} with its {@code jars/} folder created. */
  static Path sparkHome() throws IOException {
    Path home = Paths.get(System.getenv("SPARK_HOME"));
    Files.createDirectories(home.resolve("jars"));
    return home;
  }

  /** A folder under target/ for data and jars of the cluster tests. */
  static Path workDir(String name) throws IOException {
    Path base = Paths.get(System.getProperty("sparkbce.clusterWorkDir", "target/cluster-tests"));
    Path dir = base.toAbsolutePath().resolve(name);
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * {@code jar}, written from target/classes: the project's main classes, as the build puts them
   * in its jar (the test phase runs before Maven's package).
   */
  static Path projectJar(Path jar) throws IOException {
    List<Path> dirs = testClasspath().stream().filter(ClusterSupport::isProjectClasses)
        .map(Paths::get).filter(p -> Files.exists(p.resolve("io/sparkbce/BceFunctions.class")))
        .collect(Collectors.toList());
    assertTrue(dirs.size() == 1, "one folder with the main classes on the class path: " + dirs);
    Path classes = dirs.get(0);
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
    return jar;
  }

  static Map<String, String> commonConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.sql.ansi.enabled", "true");
    conf.put("spark.sql.shuffle.partitions", "5");
    conf.put("spark.sql.warehouse.dir", "target/spark-warehouse");
    return conf;
  }

  /** The reference: one thread, one JVM, no shuffle across processes. */
  static SparkSession startLocal1(String app) {
    Map<String, String> conf = commonConf();
    conf.put("spark.default.parallelism", "1");
    return start("local[1]", app, conf);
  }

  /**
   * A multi-process cluster whose executors see {@code executorClasspath}; {@code extra} adds or
   * overrides settings (e.g. spark.jars). Returns once every executor has registered.
   */
  static SparkSession startCluster(
      String app, List<String> executorClasspath, Map<String, String> extra) throws Exception {
    sparkHome();
    Map<String, String> conf = commonConf();
    conf.put("spark.default.parallelism", "4");
    conf.put("spark.task.maxFailures", "4");
    // The cluster plans spark-bce's columnar partial aggregation where it applies, the local[1]
    // reference Spark's row path: same bits across both paths and across JVMs.
    conf.put("spark.sql.extensions", "io.sparkbce.BceSparkExtensions");
    conf.put("spark.executorEnv.SPARK_SCALA_VERSION", "2.13");
    conf.put("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1");
    conf.put("spark.executor.extraClassPath", String.join(File.pathSeparator, executorClasspath));
    String kernel = System.getProperty(BlockKernel.PROPERTY);
    conf.put("spark.executor.extraJavaOptions", executorJavaOptions()
        + (kernel == null ? "" : " -D" + BlockKernel.PROPERTY + "=" + kernel));
    conf.putAll(extra);
    SparkSession spark = start(MASTER, app, conf);
    try {
      awaitExecutors(spark, EXECUTORS, TimeUnit.MINUTES.toMillis(2));
    } catch (TimeoutException e) {
      stop(spark);
      throw e;
    }
    return spark;
  }

  private static SparkSession start(String master, String app, Map<String, String> conf) {
    assertTrue(
        SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty(),
        "another SparkSession is alive in this JVM: the cluster tests need a JVM of their own");
    SparkSession.Builder b = SparkSession.builder().master(master).appName(app);
    conf.forEach(b::config);
    SparkSession spark = b.getOrCreate();
    BceFunctions.register(spark);
    return spark;
  }

  static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  /** Waits until {@code n} executors (besides the driver) have registered. */
  static void awaitExecutors(SparkSession spark, int n, long timeoutMillis) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (executorIds(spark).size() < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new TimeoutException("only executors " + executorIds(spark) + " of " + n
            + " registered: a wrong spark.executor.extraClassPath or missing $SPARK_HOME/jars"
            + " makes executor JVMs die at start (see $SPARK_HOME/work/*/*/stderr)");
      }
      Thread.sleep(100);
    }
  }

  static List<String> executorIds(SparkSession spark) {
    return scala.jdk.javaapi.CollectionConverters.asJava(spark.sparkContext().getExecutorIds())
        .stream().sorted().collect(Collectors.toList());
  }

  static void drainListenerBus(SparkSession spark) throws TimeoutException {
    spark.sparkContext().listenerBus().waitUntilEmpty(TimeUnit.SECONDS.toMillis(30));
  }

  /**
   * Every executor runs the element kernel the driver runs, i.e. got the Vector API module through
   * spark.executor.extraJavaOptions: the cluster then exercises the same code as the local[1]
   * reference (the kernels' agreement itself is {@link KernelDeterminismTest}'s subject).
   */
  static void assertExecutorsUseDriverKernel(SparkSession spark) {
    spark.udf().register("executor_kernel", (UDF1<Long, String>) id ->
        SparkEnv.get().executorId() + "=" + BlockKernel.selected().name(), DataTypes.StringType);
    List<Row> rows = spark.sql("SELECT DISTINCT executor_kernel(id) FROM range(0, 64, 1, 16)")
        .collectAsList();
    TreeSet<String> kernels = new TreeSet<>();
    for (Row r : rows) {
      kernels.add(r.getString(0).substring(r.getString(0).indexOf('=') + 1));
    }
    assertEquals(List.of(BlockKernel.selected().name()), new ArrayList<>(kernels),
        "executors " + rows + " selected another element kernel than the driver ("
            + BlockKernel.selected().name() + "): is --add-modules jdk.incubator.vector in"
            + " spark.executor.extraJavaOptions?");
  }

  /** True in a task's first attempt on an executor (never in local mode, whose id is driver). */
  static boolean firstAttemptOnExecutor() {
    TaskContext tc = TaskContext.get();
    return tc != null && tc.attemptNumber() == 0
        && !"driver".equals(SparkEnv.get().executorId());
  }

  static <T> List<T> filter(List<T> list, Predicate<T> keep) {
    return list.stream().filter(keep).collect(Collectors.toList());
  }
}
