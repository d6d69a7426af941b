package io.sparkbce.udf;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.execution.ColumnarToRowTransition;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.aggregate.ObjectHashAggregateExec;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;

/**
 * Stands in for a partial {@link ObjectHashAggregateExec} of spark-bce aggregates over a columnar
 * child (a Parquet or ORC scan, a cached table) and runs {@link ColumnarPartialAggregation} on its
 * batches. It is a {@link ColumnarToRowTransition}: it consumes columns and produces the rows the
 * final aggregate expects, so Spark inserts no row conversion below it.
 */
public final class ColumnarPartialAggregateExec extends SparkPlan
    implements ColumnarToRowTransition {
  private static final long serialVersionUID = 1L;
  private final ObjectHashAggregateExec replaced;
  private final SparkPlan child;
  private final ColumnarPartialAggregation aggregation;

  ColumnarPartialAggregateExec(ObjectHashAggregateExec replaced, SparkPlan child,
      ColumnarPartialAggregation aggregation) {
    this.replaced = replaced;
    this.child = child;
    this.aggregation = aggregation;
  }

  @Override
  public RDD<InternalRow> doExecute() {
    ColumnarPartialAggregation a = aggregation;
    return child.executeColumnar().toJavaRDD().mapPartitions(a::run).rdd();
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
    ColumnarPartialAggregateExec rebuilt = ColumnarAggregateRule.replace(replaced, newChild);
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
    return nodeName() + " " + replaced.simpleString(maxFields);
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
