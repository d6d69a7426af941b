package io.sparkbce.udf;

import java.util.List;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.ColumnarToRowTransition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.aggregate.ObjectHashAggregateExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * Stands in for a partial {@link ObjectHashAggregateExec} of spark-bce aggregates over a columnar
 * child (a Parquet or ORC scan, a cached table), and the Filters and Projects between them, and
 * runs {@link ColumnarPartialAggregation} on the child's batches. It is a {@link ColumnarToRowTransition}: it consumes columns and produces the rows the
 * final aggregate expects, so Spark inserts no row conversion below it.
 */
public final class ColumnarPartialAggregateExec extends SparkPlan
    implements ColumnarToRowTransition {
  private static final long serialVersionUID = 1L;
  static final String NUM_OUTPUT_ROWS = "numOutputRows";
  static final String BATCHED_ROWS = "batchedRows";
  static final String SINGLE_ROWS = "singleRows";
  static final String FLUSHES = "flushes";
  static final String HANDED_OVER = "handedOver";
  static final String SPILL_SIZE = "spillSize";
  static final String SORT_FALLBACKS = "numTasksFallBacked";
  private final ObjectHashAggregateExec replaced;
  private final SparkPlan child;
  private final ColumnarPartialAggregation aggregation;
  /** The Filters and Projects between {@code child} and the aggregate it runs, top first. */
  private final List<SparkPlan> chain;

  ColumnarPartialAggregateExec(ObjectHashAggregateExec replaced, SparkPlan child,
      ColumnarPartialAggregation aggregation, List<SparkPlan> chain) {
    this.replaced = replaced;
    this.child = child;
    this.aggregation = aggregation;
    this.chain = chain;
  }

  private transient scala.collection.immutable.Map<String, SQLMetric> metrics;

  /** See {@link ColumnarPartialAggregation.Metrics}. */
  @Override
  public synchronized scala.collection.immutable.Map<String, SQLMetric> metrics() {
    if (metrics == null) {
      scala.collection.immutable.Map<String, SQLMetric> m = scala.collection.immutable.Map$.MODULE$
          .<String, SQLMetric>empty();
      for (String[] metric : new String[][] {
          {NUM_OUTPUT_ROWS, "number of output rows"},
          {BATCHED_ROWS, "number of input rows x functions aggregated a batch at a time"},
          {SINGLE_ROWS, "number of input rows x functions aggregated one by one"},
          {FLUSHES, "number of early flushes of grouped state (budget full)"},
          {HANDED_OVER, "number of tasks handed over to Spark's aggregation (groups not repeating)"},
          {SORT_FALLBACKS, "number of sort fallback tasks"}}) {
        m = m.updated(metric[0], SQLMetrics.createMetric(sparkContext(), metric[1]));
      }
      metrics = m.updated(SPILL_SIZE, SQLMetrics.createSizeMetric(sparkContext(), "spill size", -1));
    }
    return metrics;
  }

  @Override
  public RDD<InternalRow> doExecute() {
    ColumnarPartialAggregation a = aggregation;
    ColumnarPartialAggregation.Metrics m = new ColumnarPartialAggregation.Metrics(
        longMetric(NUM_OUTPUT_ROWS), longMetric(BATCHED_ROWS), longMetric(SINGLE_ROWS),
        longMetric(FLUSHES), longMetric(HANDED_OVER), longMetric(SPILL_SIZE),
        longMetric(SORT_FALLBACKS));
    return child.executeColumnar().toJavaRDD().mapPartitions(batches -> a.run(batches, m)).rdd();
  }

  @Override
  public Seq<Attribute> output() {
    return replaced.output();
  }

  @Override
  public SparkPlan child() {
    return child;
  }

  @Override
  public Seq<SparkPlan> children() {
    return LossCall.seq(child);
  }

  @Override
  public SparkPlan withNewChildInternal(SparkPlan newChild) {
    SparkPlan input = newChild;
    for (int i = chain.size() - 1; i >= 0; i--) {
      input = chain.get(i).withNewChildren(LossCall.seq(input));
    }
    ColumnarPartialAggregateExec rebuilt = ColumnarAggregateRule.replace(replaced, input);
    if (rebuilt == null) {
      throw new IllegalStateException("cannot aggregate the batches of " + newChild.nodeName());
    }
    return rebuilt;
  }

  @Override
  public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
    return withNewChildInternal(newChildren.apply(0));
  }

  @Override
  public String nodeName() {
    return "BceColumnarPartialAggregate";
  }

  @Override
  public String simpleString(int maxFields) {
    StringBuilder s = new StringBuilder(nodeName()).append(' ')
        .append(replaced.simpleString(maxFields));
    for (SparkPlan p : chain) {
      s.append(", over ").append(p.simpleString(maxFields));
    }
    return s.toString();
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    return n == 0 ? replaced : child;
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof ColumnarPartialAggregateExec;
  }
}
