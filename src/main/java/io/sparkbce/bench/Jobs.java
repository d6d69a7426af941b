package io.sparkbce.bench;

import io.sparkbce.job.Evaluate;
import io.sparkbce.job.EvaluateOptions;
import io.sparkbce.monitor.Monitor;
import io.sparkbce.monitor.MonitorOptions;
import java.io.OutputStream;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/** The evaluate and monitor jobs run in-process, their printed output discarded. */
final class Jobs {
  private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

  private Jobs() {}

  static void evaluate(SparkSession spark, java.util.List<String> args) {
    Evaluate.run(spark, EvaluateOptions.parse(args.toArray(new String[0])), DISCARD);
  }

  static void monitor(SparkSession spark, java.util.List<String> args) {
    Monitor.run(spark, MonitorOptions.parse(args.toArray(new String[0])), DISCARD);
  }
}
