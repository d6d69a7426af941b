package io.sparkbce.job;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Phase lines on stderr while a job runs, so that a user sees what a long pass is doing: when a
 * pass starts ({@code "  computing pos_weight ..."}) and when it ends, with the rows it read or
 * wrote and its time ({@code "  computing pos_weight: 280,000 rows read in 3.1 s"}). Each pass
 * also names the Spark jobs it runs (the job description, as in the Spark UI).
 *
 * <p>Only the application's own session reports (installed by {@link Main}); elsewhere, e.g. in
 * tests on a shared session, {@link #begin} and {@link #end} just set the job description.
 */
public final class Phases extends SparkListener {
  private static final Map<SparkContext, Phases> INSTALLED = new ConcurrentHashMap<>();

  private final SparkContext sc;
  private final PrintStream err;
  private final AtomicLong read = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Map<Integer, Boolean> stagesOfPhase = new ConcurrentHashMap<>();
  private volatile String phase;
  private long started;

  private Phases(SparkContext sc, PrintStream err) {
    this.sc = sc;
    this.err = err;
  }

  /** Reports the passes of jobs on {@code spark} to {@code err} from now on. */
  static void install(SparkSession spark, PrintStream err) {
    Phases p = new Phases(spark.sparkContext(), err);
    spark.sparkContext().addSparkListener(p);
    INSTALLED.put(spark.sparkContext(), p);
  }

  /**
   * Ends the current pass, if any, and starts {@code phase} of {@code job}: its Spark jobs are
   * described as {@code "job: phase"}.
   */
  public static void begin(SparkSession spark, String job, String phase) {
    spark.sparkContext().setJobDescription(job + ": " + phase);
    Phases p = INSTALLED.get(spark.sparkContext());
    if (p != null) {
      p.finishPhase();
      p.startPhase(phase);
    }
  }

  /** Ends the current pass, if any, and clears the job description. */
  public static void end(SparkSession spark) {
    spark.sparkContext().setJobDescription(null);
    Phases p = INSTALLED.get(spark.sparkContext());
    if (p != null) {
      p.finishPhase();
    }
  }

  private synchronized void startPhase(String name) {
    read.set(0);
    written.set(0);
    stagesOfPhase.clear();
    started = System.nanoTime();
    phase = name;
    err.println("  " + name + " ...");
    err.flush();
  }

  private synchronized void finishPhase() {
    if (phase == null) {
      return;
    }
    try {
      // task metrics arrive through the asynchronous listener bus: let them in first
      sc.listenerBus().waitUntilEmpty(10_000L);
    } catch (Exception e) {
      // counts may then be short; the line still says what ran and how long
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    StringBuilder b = new StringBuilder("  ").append(phase).append(": ");
    if (written.get() > 0) {
      b.append(TextTable.count(written.get())).append(" rows written");
    } else {
      b.append(TextTable.count(read.get())).append(" rows read");
    }
    b.append(String.format(Locale.ROOT, " in %.1f s", seconds));
    err.println(b);
    err.flush();
    phase = null;
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    if (phase != null) {
      stagesOfPhase.put(event.stageInfo().stageId(), Boolean.TRUE);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    TaskMetrics m = event.taskMetrics();
    if (m == null || !stagesOfPhase.containsKey(event.stageId())) {
      return;
    }
    read.addAndGet(m.inputMetrics().recordsRead());
    written.addAndGet(m.outputMetrics().recordsWritten());
  }
}
