package io.sparkbce.cluster;

import static io.sparkbce.cluster.ClusterSupport.assumeClusterJvm;
import static io.sparkbce.cluster.ClusterSupport.drainListenerBus;
import static io.sparkbce.cluster.ClusterSupport.executorIds;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.cluster.ClusterData.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC §1 "Exactness of reductions" and §2 "pos_weight ... broadcasts it to the executors" on a
 * real multi-process cluster ({@code local-cluster[2,1,1024]}: two executor JVMs), where partial
 * states are serialised, shuffled between JVMs and merged, and a Java {@code double[]} pos_weight
 * is a Spark broadcast fetched by each executor. Every aggregate, grouped and ungrouped, through
 * SQL and the Column API, must give the same bits as {@code local[1]} on the same Parquet files;
 * also when tasks fail and are retried, and when an executor JVM dies in the middle of the job.
 *
 * <p>The reference is computed first, in this same JVM, by a local[1] application that is stopped
 * before the cluster starts (the cluster-tests execution gives these tests a JVM of their own).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecutorsClusterTest {
  private static Map<String, Result> reference;
  private static SparkSession cluster;
  private static Path multiPath;
  private static Path widePath;

  @BeforeAll
  @Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  static void referenceOnLocal1ThenStartTheCluster() throws Exception {
    assumeClusterJvm();
    Path data = ClusterSupport.workDir("data");
    multiPath = data.resolve("multi");
    widePath = data.resolve("wide");
    SparkSession local = ClusterSupport.startLocal1("spark-bce local[1] reference");
    try {
      ClusterData.write(local, multiPath, widePath);
      reference = ClusterData.runAll(local, local.read().parquet(multiPath.toString()),
          local.read().parquet(widePath.toString()));
    } finally {
      ClusterSupport.stop(local);
    }
    cluster = ClusterSupport.startCluster(
        "spark-bce cluster tests", ClusterSupport.testClasspath(), Map.of());
    registerFaultFunctions(cluster);
  }

  @AfterAll
  static void stopCluster() {
    ClusterSupport.stop(cluster);
    cluster = null;
  }

  private static Dataset<Row> multi() {
    return cluster.read().parquet(multiPath.toString());
  }

  private static Dataset<Row> wide() {
    return cluster.read().parquet(widePath.toString());
  }

  private static void assertSameBits(String query, Result got) {
    Result expected = reference.get(query);
    assertTrue(expected.cells() > 0, query);
    String diff = expected.difference(got);
    assertNull(diff, () -> query + ": cluster result differs from local[1]: " + diff);
  }

  @Test
  @Order(1)
  void executorsSelectTheDriversElementKernel() {
    ClusterSupport.assertExecutorsUseDriverKernel(cluster);
  }

  /** The executors run the columnar partial aggregation and report its metrics back. */
  @Test
  @Order(2)
  void executorsRunTheColumnarAggregation() {
    Dataset<Row> df = cluster.sql("SELECT g, bce_with_logits_loss(xs, ys, w, 2.5D, 'sum'),"
        + " bce_with_logits_loss_per_class(x, y) FROM parquet.`" + multiPath + "` GROUP BY g");
    df.collectAsList();
    String plan = df.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("BceColumnarPartialAggregate"), plan);
  }

  /**
   * All queries on the files as written (one task per split), and the main ones again after a
   * round-robin shuffle into 17 and 7 partitions (other partial states, other merge trees).
   */
  @Test
  @Order(2)
  @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void everyAggregateMatchesLocal1BitForBit() {
    Map<String, Result> plain = ClusterData.runAll(cluster, multi(), wide());
    Map<String, Result> shuffled = ClusterData.run(cluster, multi().repartition(17),
        wide().repartition(7), Set.of("sql ungrouped", "sql grouped", "columns grouped",
            "broadcast pos_weight grouped"));
    assertEquals(reference.keySet(), plain.keySet());
    List<String> failures = new ArrayList<>();
    for (String q : reference.keySet()) {
      String d1 = reference.get(q).difference(plain.get(q));
      if (d1 != null) {
        failures.add(q + ": " + d1);
      }
      String d2 = shuffled.containsKey(q) ? reference.get(q).difference(shuffled.get(q)) : null;
      if (d2 != null) {
        failures.add(q + " (repartitioned): " + d2);
      }
    }
    assertEquals(4, shuffled.size(), "repartitioned queries: " + shuffled.keySet());
    assertTrue(failures.isEmpty(), () -> "cluster results differ from local[1]:\n"
        + String.join("\n", failures));
  }

  /**
   * Row errors raised inside executor JVMs reach the driver with their explanation, and the
   * driver-side Column API with a broadcast pos_weight reports a wrong length the same way.
   */
  @Test
  @Order(3)
  void errorsRaisedInExecutorsReachTheDriverWithTheirExplanation() {
    multi().createOrReplaceTempView("multi");
    assertError(() -> cluster.sql("SELECT g, bce_with_logits_loss(x, slice(y, 1, 999)) FROM multi"
            + " GROUP BY g").collectAsList(),
        "bce_with_logits_loss(x, slice(",
        "Target size (999) must be the same as input size (1000)");
    assertError(() -> cluster.sql("SELECT bce_loss(transform(q, v -> v * 2D), y) FROM multi")
            .collectAsList(),
        "bce_loss(", "should be between 0 and 1");
    double[] tooShort = new double[4200];
    java.util.Arrays.fill(tooShort, 1.0);
    assertError(() -> ClusterData.aggregate(wide(), null, List.of(
            io.sparkbce.BceFunctions.bceWithLogitsLoss(col("x"), col("y"), null, tooShort, "sum")))
            .collectAsList(),
        "pos_weight size (4200) must match the number of classes (4500)");
  }

  private static void assertError(Runnable query, String... fragments) {
    Exception e = assertThrows(Exception.class, query::run);
    StringBuilder chain = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause()) {
      chain.append(c).append(" | ");
    }
    for (String f : fragments) {
      assertTrue(chain.toString().contains(f), () -> "'" + f + "' missing from: " + chain);
    }
  }

  /**
   * Every task of the scan stage and of the final-aggregate stage throws in its first attempt
   * ({@code spark.task.maxFailures=4}); the retries give the reference bits.
   */
  @Test
  @Order(4)
  void tasksFailingTheirFirstAttemptAreRetriedToTheSameBits() throws Exception {
    TaskCounter counter = new TaskCounter();
    cluster.sparkContext().addSparkListener(counter);
    try {
      multi().createOrReplaceTempView("multi");
      cluster.sql("SELECT * FROM multi WHERE first_attempt_fails(id)")
          .createOrReplaceTempView("multi_failing");
      AtomicInteger wrapped = new AtomicInteger();
      // One aggregate of the result is passed through a UDF: it runs in the reduce tasks.
      UnaryOperator<String> wrapFirst = e -> wrapped.getAndIncrement() == 0
          ? "first_attempt_fails_value(" + e + ")" : e;
      Result got = ClusterData.collect(
          cluster.sql(ClusterData.multiSql("multi_failing", "g", wrapFirst)));
      drainListenerBus(cluster);
      assertSameBits("sql grouped", got);
      assertTrue(counter.failed.get() >= 2, "first attempts failed: " + counter.failed);
      assertTrue(counter.failedStages.size() >= 2,
          "map and reduce stages both had failed attempts: " + counter.failedStages);
    } finally {
      cluster.sparkContext().removeSparkListener(counter);
    }
  }

  /** An executor JVM is killed (SIGKILL) after it finished some tasks of the job. */
  @Test
  @Order(5)
  void executorProcessKilledMidJobLeavesTheBitsUnchanged() throws Exception {
    Map<String, Long> pids = executorPids();
    String victim = pids.keySet().iterator().next();
    // Only a JVM this one started: local-cluster's workers run here and fork the executors.
    ProcessHandle process = ProcessHandle.current().children()
        .filter(p -> p.pid() == pids.get(victim)).findFirst()
        .orElseThrow(() -> new AssertionError("executor " + victim + " (pid " + pids.get(victim)
            + ") is not a child process of this JVM"));
    runWithExecutorLoss(victim, () -> process.destroyForcibly());
    // The master replaces a dead executor: later tests have two again.
    ClusterSupport.awaitExecutors(cluster, ClusterSupport.EXECUTORS, TimeUnit.MINUTES.toMillis(1));
  }

  /** The scheduler removes an executor (SparkContext.killExecutor) in the middle of the job. */
  @Test
  @Order(6)
  void executorRemovedBySparkMidJobLeavesTheBitsUnchanged() throws Exception {
    String victim = executorIds(cluster).get(0);
    runWithExecutorLoss(victim, () -> assertTrue(cluster.sparkContext().killExecutor(victim)));
    // killExecutor lowers the target: the application goes on with one executor.
  }

  /**
   * Runs the grouped query over data repartitioned into 24 slow tasks (a sleep at each task's
   * first row) and kills {@code victim} from another thread once it has finished 3 tasks of it.
   */
  private void runWithExecutorLoss(String victim, Runnable kill) throws Exception {
    KillOnProgress listener = new KillOnProgress(victim, 3, kill);
    cluster.sparkContext().addSparkListener(listener);
    try {
      multi().repartition(24, col("id")).where("slow_task(id)").createOrReplaceTempView("slow");
      long start = System.nanoTime();
      Result got = ClusterData.collect(
          cluster.sql(ClusterData.multiSql("slow", "g", UnaryOperator.identity())));
      long end = System.nanoTime();
      drainListenerBus(cluster);
      assertTrue(listener.killedAt.get() > start && listener.killedAt.get() < end,
          "the kill happened while the query ran");
      assertTrue(listener.removed.contains(victim),
          "executor " + victim + " was removed; removed: " + listener.removed);
      assertTrue(listener.tasksStartedAfterKill.get() > 0,
          "the query went on after the kill (tasks started after it)");
      assertSameBits("sql grouped", got);
      assertTrue(listener.failure.get() == null, () -> "kill failed: " + listener.failure);
    } finally {
      cluster.sparkContext().removeSparkListener(listener);
    }
  }

  /** Executor id to process id, as the executors report them (from 16 tasks). */
  private static Map<String, Long> executorPids() {
    Map<String, Long> pids = new java.util.TreeMap<>();
    for (Row r : cluster.sql("SELECT DISTINCT executor_pid(id) FROM range(0, 64, 1, 16)")
        .collectAsList()) {
      String[] v = r.getString(0).split(" ");
      pids.put(v[0], Long.parseLong(v[1]));
    }
    assertTrue(!pids.isEmpty() && !pids.containsKey("driver"), "executor pids: " + pids);
    return pids;
  }

  private static void registerFaultFunctions(SparkSession spark) {
    spark.udf().register("executor_pid", (UDF1<Long, String>) id ->
        org.apache.spark.SparkEnv.get().executorId() + " " + ProcessHandle.current().pid(),
        DataTypes.StringType);
    spark.udf().register("first_attempt_fails", (UDF1<Long, Boolean>) id -> {
      failInFirstAttempt();
      return true;
    }, DataTypes.BooleanType);
    spark.udf().register("first_attempt_fails_value", (UDF1<Double, Double>) v -> {
      failInFirstAttempt();
      return v;
    }, DataTypes.DoubleType);
    UserDefinedFunction slow = functions.udf((UDF1<Long, Boolean>) id -> {
      SlowTasks.sleepOncePerTask();
      return true;
    }, DataTypes.BooleanType).asNondeterministic();
    spark.udf().register("slow_task", slow);
  }

  private static void failInFirstAttempt() {
    if (ClusterSupport.firstAttemptOnExecutor()) {
      TaskContext tc = TaskContext.get();
      throw new IllegalStateException("injected failure of the first attempt of task "
          + tc.partitionId() + " of stage " + tc.stageId());
    }
  }

  /** Executor-side state of the slow_task UDF. */
  static final class SlowTasks {
    private static final Set<Long> SLEPT = ConcurrentHashMap.newKeySet();

    private SlowTasks() {}

    static void sleepOncePerTask() {
      TaskContext tc = TaskContext.get();
      if (tc != null && SLEPT.add(tc.taskAttemptId())) {
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Counts failed task attempts and the stages they were in. */
  static final class TaskCounter extends SparkListener {
    final AtomicInteger failed = new AtomicInteger();
    final Set<Integer> failedStages = ConcurrentHashMap.newKeySet();

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (!end.taskInfo().successful()) {
        failed.incrementAndGet();
        failedStages.add(end.stageId());
      }
    }
  }

  /** Kills the victim from another thread once it has finished {@code after} tasks. */
  static final class KillOnProgress extends SparkListener {
    private final String victim;
    private final int after;
    private final Runnable kill;
    private final AtomicInteger victimDone = new AtomicInteger();
    final AtomicLong killedAt = new AtomicLong();
    final AtomicInteger tasksStartedAfterKill = new AtomicInteger();
    final Set<String> removed = ConcurrentHashMap.newKeySet();
    final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();

    KillOnProgress(String victim, int after, Runnable kill) {
      this.victim = victim;
      this.after = after;
      this.kill = kill;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      if (end.taskInfo().successful() && victim.equals(end.taskInfo().executorId())
          && victimDone.incrementAndGet() == after) {
        Thread t = new Thread(() -> {
          try {
            kill.run();
          } catch (Throwable e) {
            failure.set(e);
          }
          killedAt.set(System.nanoTime());
        }, "kill-executor-" + victim);
        t.setDaemon(true);
        t.start();
      }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart start) {
      if (killedAt.get() != 0) {
        tasksStartedAfterKill.incrementAndGet();
      }
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
      removed.add(e.executorId());
    }
  }
}
