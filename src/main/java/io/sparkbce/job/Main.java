package io.sparkbce.job;

import io.sparkbce.BceFunctions;
import io.sparkbce.bench.Benchmark;
import io.sparkbce.monitor.Monitor;
import io.sparkbce.monitor.MonitorOptions;
import io.sparkbce.monitor.history.DeltaSupport;
import io.sparkbce.monitor.history.HistoryStore;
import io.sparkbce.monitor.rollup.Rollup;
import io.sparkbce.monitor.rollup.RollupOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The spark-submit entry point ({@code --class io.sparkbce.job.Main}) behind {@code submit.sh}:
 * {@code demo}, {@code evaluate}, {@code monitor}, {@code sql} and {@code bench}. Exit codes: 0
 * success, 1 failure, 2 usage error, 3 a monitor alert fired. The SparkSession is created only
 * once the arguments are known to be good. 75: monitor's history was changed or locked by another
 * run at the same time (retryable).
 */
public final class Main {
  /** The exit codes every command shares, for its --help. */
  public static final String EXIT_CODES = "Exit codes: 0 success, 1 failure (also a missing input or SQL"
      + " file), 2 usage error (unknown option, bad value).";
  static final String USAGE = String.join("\n",
      "usage: submit.sh COMMAND [options]      (COMMAND --help for its options)",
      "",
      "commands:",
      "  demo       generate a partitioned multi-label data set under target/demo, evaluate and",
      "             monitor it",
      "  evaluate   loss of a data set of logits and labels: table on stdout, JSON summary,",
      "             per-row losses with --reduction none",
      "  monitor    loss per event-time window and segment: metric history, alerts (exit code 3),",
      "             HTML report",
      "  sql FILE   run the statements of a SQL file with the spark-bce functions, printing results",
      "  bench      throughput of the loss functions against a bare scan",
      "",
      "submit.sh options (any position): --master URL (hand the job to spark-submit),",
      "  --conf key=value (Spark configuration).",
      EXIT_CODES + " monitor exits with 3 when an alert fires, 75 when another run changed its",
      "Delta history at the same time (retry).");

  private Main() {}

  public static void main(String[] args) {
    Session session = new Session(args.length > 0 ? args[0] : "", System.err);
    int code;
    try {
      code = run(session, System.out, System.err, args);
    } finally {
      session.stop();
    }
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * Runs one command and returns its exit code; messages for the user go to {@code err}. The
   * session is taken from {@code spark} only when the command needs one.
   */
  public static int run(
      Supplier<SparkSession> spark, PrintStream out, PrintStream err, String... args) {
    if (args.length == 0) {
      err.println(USAGE);
      return 2;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (command) {
        case "help", "--help", "-h" -> {
          out.println(USAGE);
          return 0;
        }
        case "evaluate" -> {
          EvaluateOptions o = EvaluateOptions.parse(rest);
          if (o.help) {
            out.println(Evaluate.USAGE);
            return 0;
          }
          Evaluate.run(spark.get(), o, out);
          return 0;
        }
        case "monitor" -> {
          if (RollupOptions.requested(rest)) {
            RollupOptions r = RollupOptions.parse(rest);
            if (r.format == HistoryStore.Format.DELTA && spark instanceof Session s) {
              s.enableDelta();
            }
            if (!r.help) {
              Rollup.run(spark.get(), r, out);
            }
            out.print(r.help ? Monitor.USAGE + "\n" : "");
            return 0;
          }
          MonitorOptions o = MonitorOptions.parse(rest);
          if (o.help) {
            out.println(Monitor.USAGE);
            return 0;
          }
          if (o.deltaHistory() && spark instanceof Session s) {
            s.enableDelta();
          }
          return Monitor.run(spark.get(), o, out, err).exitCode();
        }
        case "demo" -> {
          return Demo.run(spark, out, rest);
        }
        case "sql" -> {
          SqlCommand.run(spark, out, rest);
          return 0;
        }
        case "bench" -> {
          return bench(out, rest);
        }
        default -> throw new UsageException(
            "unknown command '" + command + "'; commands are demo, evaluate, sql, bench, monitor");
      }
    } catch (UsageException e) {
      err.println("error: " + shown(e.getMessage()));
      err.println("(submit.sh " + (isCommand(command) ? command + " " : "") + "--help for usage)");
      debug(e, err);
      return 2;
    } catch (JobFailure e) {
      err.println("error: " + shown(e.getMessage()));
      debug(e, err);
      return 1;
    } catch (RetryableFailure e) {
      err.println("error: " + shown(e.getMessage()));
      debug(e, err);
      return RetryableFailure.EXIT;
    } catch (RuntimeException e) {
      err.println("error: " + shown(JobFailure.rootMessage(e)));
      debug(e, err);
      return 1;
    }
  }

  /**
   * A message as printed: values from data or options (paths, SQL, column values) may hold
   * control characters; only the message's own line breaks are kept.
   */
  private static String shown(String message) {
    return TerminalText.escapeKeepingLines(message);
  }

  private static boolean isCommand(String c) {
    return c.equals("evaluate") || c.equals("monitor") || c.equals("demo") || c.equals("sql")
        || c.equals("bench");
  }

  /** {@code bench}: {@link Benchmark}; {@code --help} and bad options stop before Spark starts. */
  private static int bench(PrintStream out, String[] args) {
    if (Arrays.asList(args).contains("--help")) {
      out.println(Benchmark.USAGE + "\n\n" + EXIT_CODES);
      return 0;
    }
    if (!new SparkConf().contains("spark.master")) {
      System.setProperty("spark.master", "local[*]");
    }
    try {
      Benchmark.main(args);
      return 0;
    } catch (Benchmark.BadOption e) {
      throw new UsageException("bench: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new JobFailure("bench failed: " + JobFailure.rootMessage(e), e);
    }
  }

  private static void debug(Throwable t, PrintStream err) {
    if (System.getenv("SPARK_BCE_DEBUG") != null || Boolean.getBoolean("sparkbce.debug")) {
      t.printStackTrace(err);
    }
  }

  /** The application's session: local[*] unless spark-submit or -Dspark.master said otherwise. */
  static final class Session implements Supplier<SparkSession> {
    private final String command;
    private final PrintStream err;
    private SparkSession spark;
    /** Whether the session gets Delta's extension and catalog (a Delta metric history). */
    private boolean delta;

    Session(String command, PrintStream err) {
      this.command = command;
      this.err = err;
    }

    @Override
    public synchronized SparkSession get() {
      if (spark == null) {
        SparkSession.Builder b = SparkSession.builder().appName("spark-bce " + command);
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
          b.master("local[*]");
        }
        if (delta && DeltaSupport.onClassPath()) {
          // without Delta's classes the run stops at DeltaSupport.require, with how to add them
          DeltaSupport.configure(b, conf.get("spark.sql.extensions", null));
        }
        // at once: starting Spark takes seconds, the first pass longer
        err.println("spark-bce " + command + ": starting Spark (" + conf.get("spark.master",
            "local[*]") + ")");
        err.flush();
        spark = b.getOrCreate();
        BceFunctions.register(spark);
        Phases.install(spark, err);
      }
      return spark;
    }

    /** The session, once created, has Delta's extension and catalog. */
    synchronized void enableDelta() {
      delta = true;
    }

    synchronized void stop() {
      SparkSession active = spark;
      if (active == null) {
        active = SparkSession.getActiveSession().getOrElse(() -> null);
      }
      if (active != null) {
        active.stop();
      }
    }
  }
}
