package io.sparkbce.udf;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.PlanExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
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
 * Replaces each partial {@link ObjectHashAggregateExec} whose functions are all spark-bce
 * aggregates and whose child produces columnar batches by a {@link ColumnarPartialAggregateExec}.
 * Anything else (other aggregates in the same query, DISTINCT, FILTER, subqueries or
 * nondeterministic expressions in the arguments, row-based children, streaming) keeps Spark's
 * plan. Installed by {@code BceSparkExtensions}; {@value #ENABLED} = false turns it off, and
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
    if (agg.isStreaming() || !child.supportsColumnar() || calls.isEmpty()
        || agg.resultExpressions().size() != keys.size() + calls.size()) {
      return null;
    }
    for (int k = 0; k < keys.size(); k++) {
      if (!plain((Expression) keys.apply(k))) {
        return null;
      }
    }
    int n = calls.size();
    RowAggregate<?, ?>[] functions = new RowAggregate<?, ?>[n];
    TypedImperativeAggregate<?>[] aggregators = new TypedImperativeAggregate<?>[n];
    @SuppressWarnings("unchecked")
    Seq<Expression>[] arguments = new Seq[n];
    for (int f = 0; f < n; f++) {
      AggregateExpression call = calls.apply(f);
      if (call.mode() != Partial$.MODULE$ || call.isDistinct() || call.filter().isDefined()
          || !(call.aggregateFunction() instanceof V2Aggregator)) {
        return null;
      }
      V2Aggregator<?, ?> v2 = (V2Aggregator<?, ?>) call.aggregateFunction();
      if (!(v2.aggrFunc() instanceof RowAggregate)) {
        return null;
      }
      List<Expression> args = new ArrayList<>();
      for (int a = 0; a < v2.children().size(); a++) {
        Expression e = v2.children().apply(a);
        if (!plain(e)) {
          return null;
        }
        args.add(e);
      }
      functions[f] = (RowAggregate<?, ?>) v2.aggrFunc();
      aggregators[f] = v2;
      arguments[f] = LossCall.seq(args.toArray(new Expression[0]));
    }
    return new ColumnarPartialAggregateExec(agg, child, new ColumnarPartialAggregation(
        functions, aggregators, arguments, keys, child.output(), agg.output(),
        Long.parseLong(SQLConf.get().getConfString(STATE_BUDGET,
            String.valueOf(DEFAULT_STATE_BUDGET))),
        new SparkPartialAggregation(agg, child.output())));
  }

  /** Evaluable from a batch row alone: deterministic, with no subquery to run first. */
  private static boolean plain(Expression e) {
    return e.deterministic() && e.find(x -> x instanceof PlanExpression).isEmpty();
  }
}
