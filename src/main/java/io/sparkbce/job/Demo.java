package io.sparkbce.job;

import io.sparkbce.monitor.Monitor;
import io.sparkbce.monitor.MonitorOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * {@code demo}: generates the demo data set (see {@link DemoData}), evaluates it (mean per model
 * version, per class, pos_weight from the labels), monitors it (loss per day and model version,
 * baseline alerts, HTML report) and says where everything is.
 */
public final class Demo {
  static final String USAGE = String.join("\n",
      "usage: submit.sh demo [--dir DIR] [--rows N] [--classes N] [--days N]",
      "",
      "  --dir DIR      where to write data/, evaluate/ and monitor/ (default target/demo of the project)",
      "  --rows N       rows to generate (default 280000: 7 days x 2 model versions x 20000)",
      "  --classes N    classes per row (default 16)",
      "  --days N       days, from " + DemoData.START_DATE + " (default 7)",
      "",
      Main.EXIT_CODES);
  static final long ROWS = 280_000;
  static final int BASELINE_WINDOWS = 5;
  static final String ALERT_SIGMA = "4";
  static final String ALERT_ABOVE = "0.26";

  private Demo() {}

  public static int run(Supplier<SparkSession> sparkSupplier, PrintStream out, String... args) {
    Options o = Options.parse(args, Set.of("dir", "rows", "classes", "days"), Set.of("help"),
        null);
    if (o.flag("help")) {
      out.println(USAGE);
      return 0;
    }
    if (!o.positional().isEmpty()) {
      throw new UsageException("demo takes no positional arguments, got '"
          + o.positional().get(0) + "'");
    }
    String dir = o.get("dir", defaultDir());
    long rows = o.longValue("rows", ROWS, 1);
    int classes = o.intValue("classes", 16, 1);
    int days = o.intValue("days", 7, 1);
    SparkSession spark = sparkSupplier.get();
    String data = Evaluate.child(dir, "data");
    long t = System.nanoTime();
    out.printf("spark-bce demo: writing %,d rows (%d days x 2 model versions, %d classes) to %s%n",
        rows, days, classes, data);
    Phases.begin(spark, "spark-bce demo", "generating data");
    DemoData.write(spark, data, rows, classes, days);
    Phases.end(spark);
    out.printf("  done in %.1f s%n%n", (System.nanoTime() - t) / 1e9);

    String[] evaluateArgs = {"--input", data, "--group-by", "model_version", "--per-class",
        "--pos-weight", "auto", "--output", Evaluate.child(dir, "evaluate")};
    out.println("$ " + ShellCommand.submit("evaluate", evaluateArgs));
    Evaluate.Result r = Evaluate.run(spark, EvaluateOptions.parse(evaluateArgs), out);

    // Monitoring: loss per day and model version, with a threshold and a baseline band (mean +-
    // 4 sigma of the previous 5 days of the same model version). v2 drifts (its loss rises day by
    // day, past v1's): the threshold alert fires on its last day.
    String mon = Evaluate.child(dir, "monitor");
    String[] monitorArgs = {"--input", data, "--time-col", "date", "--window", "1 day",
        "--group-by", "model_version", "--output", mon, "--alert-above", ALERT_ABOVE,
        "--baseline-windows",
        Integer.toString(BASELINE_WINDOWS), "--alert-sigma", ALERT_SIGMA};
    out.println();
    out.println("$ " + ShellCommand.submit("monitor", monitorArgs));
    Monitor.Result mr = Monitor.run(spark, MonitorOptions.parse(monitorArgs), out);
    out.println();
    if (mr.alerts.isEmpty()) {
      out.println("No alert fired (submit.sh monitor would exit with 0).");
    } else {
      out.println("An alert fired as expected: model_version v2 drifts (submit.sh monitor exits "
          + "with " + Monitor.ALERT_EXIT + " when an alert fires; the demo itself succeeds).");
    }
    out.println("The monitoring report is " + mr.reportPath + " (open it in a browser); alerts: "
        + MonitorOptions.parse(monitorArgs).alerts + "; history: " + Evaluate.child(mon,
            "history"));

    out.println();
    out.println("The JSON summary is " + r.summaryPath + ". Next:");
    out.println("  ./submit.sh evaluate --config spark-job/evaluate-per-class.properties");
    out.println("  ./submit.sh sql udf/examples.sql");
    return 0;
  }

  /** {@code target/demo} of the project when submit.sh says where that is, else of the cwd. */
  static String defaultDir() {
    String home = System.getProperty("sparkbce.home");
    if (home == null || home.isBlank()) {
      return "target/demo";
    }
    Path p = Paths.get(home, "target", "demo").toAbsolutePath().normalize();
    Path cwd = Paths.get("").toAbsolutePath();
    return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
  }
}
