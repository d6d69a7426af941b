package io.sparkbce.udf;

import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.MutableProjection;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.execution.aggregate.ObjectAggregationIterator;
import org.apache.spark.sql.execution.aggregate.ObjectHashAggregateExec;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.internal.SQLConf;
import scala.collection.immutable.Seq;

/**
 * Spark's own partial aggregation of the plan {@link ColumnarPartialAggregateExec} replaced: the
 * iterator {@link ObjectHashAggregateExec} runs, which turns to sorting (and spilling) once a task
 * has many groups. A task whose groups barely repeat hands its remaining rows over to it, because
 * there a hash table of states only multiplies states without merging any.
 */
final class SparkPartialAggregation implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Seq<Attribute> input;
  private final Seq<NamedExpression> groupingExpressions;
  private final Seq<AggregateExpression> aggregateExpressions;
  private final Seq<Attribute> aggregateAttributes;
  private final int initialInputBufferOffset;
  private final Seq<NamedExpression> resultExpressions;
  private final int fallbackCountThreshold;

  SparkPartialAggregation(ObjectHashAggregateExec agg, Seq<Attribute> input) {
    this.input = input;
    this.groupingExpressions = agg.groupingExpressions();
    this.aggregateExpressions = agg.aggregateExpressions();
    this.aggregateAttributes = agg.aggregateAttributes();
    this.initialInputBufferOffset = agg.initialInputBufferOffset();
    this.resultExpressions = agg.resultExpressions();
    this.fallbackCountThreshold = SQLConf.get().objectAggSortBasedFallbackThreshold();
  }

  /** The partial rows of {@code rows} (UnsafeRows of the input), as Spark computes them. */
  scala.collection.Iterator<?> aggregate(scala.collection.Iterator<InternalRow> rows,
      SQLMetric outputRows, SQLMetric spillSize, SQLMetric sortFallbacks) {
    TaskContext task = TaskContext.get();
    return new ObjectAggregationIterator(task == null ? 0 : task.partitionId(), input,
        groupingExpressions, aggregateExpressions, aggregateAttributes, initialInputBufferOffset,
        resultExpressions, MutableProjection::create, input, rows, fallbackCountThreshold,
        outputRows, spillSize, sortFallbacks);
  }
}
