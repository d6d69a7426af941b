package io.sparkbce.udf;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.aggregate.V2Aggregator;
import org.apache.spark.sql.catalyst.expressions.objects.StaticInvoke;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.runtime.BoxedUnit;

/**
 * Whether the executors can load spark-bce's classes, checked once per application before the
 * first query that uses a spark-bce function runs on a cluster (installed as a check rule by
 * {@code BceSparkExtensions}).
 *
 * <p>Why: when the jar reaches the driver only (on its class path, {@code --driver-class-path},
 * {@code spark.driver.extraClassPath}) and not the executors ({@code --jars} / {@code spark.jars}
 * forgotten), the query fails while the executors deserialise its tasks, before any spark-bce code
 * runs there, with messages that do not name the jar (a {@code ClassCastException} about
 * {@code DefaultSerializationProxy} and {@code ObjectHashAggregateExec.aggregateExpressions}).
 * So the check runs a one-task job whose function is a spark-bce class: an executor without the
 * jar fails to load it, and the query stops with {@link #MESSAGE}. Local masters (one JVM) are not
 * checked; a passed check is remembered per application, a failed one is repeated (the jar may be
 * added with {@code SparkContext.addJar}). {@code spark.sparkbce.executorJarCheck.enabled=false}
 * turns it off.
 */
public final class ExecutorJarCheck {
  public static final String ENABLED = "spark.sparkbce.executorJarCheck.enabled";
  public static final String MESSAGE = "the executors cannot load the spark-bce classes: the"
      + " spark-bce jar reached the driver but not the executors. Ship it to the executors with"
      + " spark-submit --jars spark-bce.jar (or spark.jars / the application jar), not only on the"
      + " driver's class path (--driver-class-path, spark.driver.extraClassPath)";

  private static final Logger LOG = LoggerFactory.getLogger(ExecutorJarCheck.class);
  private static final Set<String> PASSED = ConcurrentHashMap.newKeySet();

  private ExecutorJarCheck() {}

  /** The check rule: {@code LogicalPlan => Unit} for {@code injectCheckRule}. */
  public static scala.Function1<LogicalPlan, BoxedUnit> rule(SparkSession session) {
    return plan -> {
      check(session, plan);
      return BoxedUnit.UNIT;
    };
  }

  static void check(SparkSession session, LogicalPlan plan) {
    SparkContext sc = session.sparkContext();
    if (sc.isLocal() || PASSED.contains(sc.applicationId())
        || !Boolean.parseBoolean(session.conf().get(ENABLED, "true"))
        || !plan.exists(node -> node.expressions().exists(ExecutorJarCheck::usesSparkBce))) {
      return;
    }
    String description = sc.getLocalProperty("spark.job.description");
    sc.setJobDescription("spark-bce: do the executors have the spark-bce jar?");
    try {
      JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1), 1).map(new Probe())
          .collect();
      PASSED.add(sc.applicationId());
    } catch (Exception e) { // SparkException is checked, Scala does not declare it
      // The probe's task holds Spark classes and the probe only: failing to deserialise it (a
      // ClassCastException about the SerializedLambda around the probe) is the missing jar too.
      if (isMissingJar(e) || String.valueOf(e.getMessage()).contains(
          "cannot assign instance of java.lang.invoke.SerializedLambda")) {
        throw new IllegalStateException(MESSAGE, e);
      }
      // Another failure (an executor lost, ...): not this check's business; the query decides.
      LOG.warn("spark-bce: could not check the executors' class path: {}", e.toString());
    } finally {
      sc.setJobDescription(description);
    }
  }

  /** An expression of spark-bce: its own class, or a Spark wrapper of one of its classes. */
  private static boolean usesSparkBce(Expression root) {
    return root.exists(e -> isOurs(e.getClass())
        || (e instanceof StaticInvoke si && isOurs(si.staticObject()))
        || (e instanceof V2Aggregator<?, ?> v2 && isOurs(v2.aggrFunc().getClass())));
  }

  private static boolean isOurs(Class<?> c) {
    return c.getName().startsWith("io.sparkbce.");
  }

  /**
   * Whether a failure is an executor that could not load spark-bce's classes: the class name in a
   * ClassNotFoundException / NoClassDefFoundError, or the ClassCastException Java serialisation
   * gives when a Scala collection of the plan holds an object of a class it could not load.
   */
  public static boolean isMissingJar(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
      String m = String.valueOf(c.getMessage()) + " " + c;
      if (m.contains("ClassNotFoundException: io.sparkbce.")
          || m.contains("NoClassDefFoundError: io/sparkbce/")
          || (c instanceof ClassNotFoundException && m.contains("io.sparkbce."))
          || (m.contains("ClassCastException") && m.contains("DefaultSerializationProxy"))) {
        return true;
      }
    }
    return false;
  }

  /** The probe's function: loading it on an executor is the check. */
  static final class Probe implements org.apache.spark.api.java.function.Function<Integer, Integer>,
      Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Integer call(Integer v) {
      return v;
    }
  }
}
