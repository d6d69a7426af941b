package io.sparkbce.udf;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.PlanExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.DeclarativeAggregate;
import org.apache.spark.sql.catalyst.expressions.aggregate.Partial$;
import org.apache.spark.sql.catalyst.expressions.aggregate.TypedImperativeAggregate;
import org.apache.spark.sql.catalyst.expressions.aggregate.V2Aggregator;
import org.apache.spark.sql.catalyst.rules.Rule;
import org.apache.spark.sql.execution.ColumnarRule;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.aggregate.ObjectHashAggregateExec;
import org.apache.spark.sql.internal.SQLConf;
import scala.collection.immutable.Seq;
import scala.runtime.AbstractPartialFunction;

/**
 * Replaces each partial {@link ObjectHashAggregateExec} with at least one spark-bce aggregate
 * (the others may be Spark's declarative ones: {@code count}, {@code count_if}, {@code sum},
 * {@code min}, ...) over a columnar child, possibly through Filters and Projects
 * ({@link BatchPipeline}), by a {@link ColumnarPartialAggregateExec}. Anything else (other
 * imperative aggregates, DISTINCT, FILTER, subqueries or nondeterministic expressions, row-based
 * children, streaming) keeps Spark's plan. Installed by {@code BceSparkExtensions}; {@value #ENABLED} = false turns it off, and
 * {@value #STATE_BUDGET} bounds the grouped state a task keeps.
 */
public final class ColumnarAggregateRule extends Rule<SparkPlan> {
  public static final String ENABLED = "spark.sparkbce.columnarAggregate.enabled";
  /**
   * Accumulators (two exact sums each) one task keeps for its groups before it emits them early.
   * A loss sum spans a few 32-bit chunks, so the default holds some 20-40 MB per task; at most
   * about 140 MB if every sum spanned the whole double range.
   */
  public static final String STATE_BUDGET = "spark.sparkbce.columnarAggregate.stateBudget";
  static final long DEFAULT_STATE_BUDGET = 1L << 17;

  /** The rule as Spark's extension point for columnar rewrites takes it. */
  public static ColumnarRule columnarRule() {
    return new ColumnarRule() {
      @Override
      public Rule<SparkPlan> preColumnarTransitions() {
        return new ColumnarAggregateRule();
      }
    };
  }

  @Override
  public SparkPlan apply(SparkPlan plan) {
    if (!Boolean.parseBoolean(SQLConf.get().getConfString(ENABLED, "true"))) {
      return plan;
    }
    return plan.transformUp(new AbstractPartialFunction<SparkPlan, SparkPlan>() {
      @Override
      public boolean isDefinedAt(SparkPlan p) {
        return p instanceof ObjectHashAggregateExec;
      }

      @Override
      public SparkPlan apply(SparkPlan p) {
        ObjectHashAggregateExec agg = (ObjectHashAggregateExec) p;
        ColumnarPartialAggregateExec replacement = replace(agg, agg.child());
        return replacement == null ? p : replacement;
      }
    });
  }

  /** The columnar exec for {@code agg} over {@code child}, or null when it does not apply. */
  static ColumnarPartialAggregateExec replace(ObjectHashAggregateExec agg, SparkPlan child) {
    Seq<AggregateExpression> calls = agg.aggregateExpressions();
    Seq<NamedExpression> keys = agg.groupingExpressions();
    List<SparkPlan> chain = new ArrayList<>();
    SparkPlan source = child;
    while (BatchPipeline.absorbable(source)) {
      chain.add(source);
      source = source.children().apply(0);
    }
    if (agg.isStreaming() || !source.supportsColumnar() || calls.isEmpty()) {
      return null;
    }
    for (int k = 0; k < keys.size(); k++) {
      // Keys are read straight from the batch rows, where lambda functions miss NULL elements.
      Expression key = (Expression) keys.apply(k);
      if (!plain(key) || BatchPipeline.hasLambda(key)) {
        return null;
      }
    }
    int n = calls.size();
    List<RowAggregate<?, ?>> functions = new ArrayList<>();
    List<TypedImperativeAggregate<?>> aggregators = new ArrayList<>();
    List<Seq<Expression>> arguments = new ArrayList<>();
    List<DeclarativeAggregate> declaratives = new ArrayList<>();
    boolean[] callOrder = new boolean[n];
    int buffers = 0;
    for (int f = 0; f < n; f++) {
      AggregateExpression call = calls.apply(f);
      if (call.mode() != Partial$.MODULE$ || call.isDistinct() || call.filter().isDefined()
          || !plain(call.aggregateFunction())) {
        return null;
      }
      buffers += call.aggregateFunction().aggBufferAttributes().size();
      if (call.aggregateFunction() instanceof DeclarativeAggregate d) {
        declaratives.add(d);
        continue;
      }
      if (!(call.aggregateFunction() instanceof V2Aggregator<?, ?> v2)
          || !(v2.aggrFunc() instanceof RowAggregate)) {
        return null;
      }
      callOrder[f] = true;
      functions.add((RowAggregate<?, ?>) v2.aggrFunc());
      aggregators.add(v2);
      arguments.add(v2.children());
    }
    // Only queries with a spark-bce aggregate: Spark's own aggregation does the rest well.
    if (functions.isEmpty() || agg.resultExpressions().size() != keys.size() + buffers) {
      return null;
    }
    @SuppressWarnings("unchecked")
    Seq<Expression>[] args = arguments.toArray(new Seq[0]);
    return new ColumnarPartialAggregateExec(agg, source, new ColumnarPartialAggregation(
        functions.toArray(new RowAggregate<?, ?>[0]),
        aggregators.toArray(new TypedImperativeAggregate<?>[0]), args, declaratives, callOrder,
        keys, chain, source.output(), child.output(), agg.output(),
        Long.parseLong(SQLConf.get().getConfString(STATE_BUDGET,
            String.valueOf(DEFAULT_STATE_BUDGET))),
        new SparkPartialAggregation(agg, child.output())), chain);
  }

  /** Evaluable from a batch row alone: deterministic, with no subquery to run first. */
  static boolean plain(Expression e) {
    return e.deterministic() && e.find(x -> x instanceof PlanExpression).isEmpty();
  }
}
