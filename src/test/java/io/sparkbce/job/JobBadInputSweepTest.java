package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.history.MetricHistory;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7's bad-input sweep through the jobs ({@code evaluate} and {@code monitor}): each kind of
 * bad input gives the documented answer, a counted skip in the summary or history, or an exit
 * code with a message naming the column, the sizes or the value; never a silent drop and never a
 * bare stack trace. Row-level reasons in detail are {@link InvalidRowsTest}'s; here each kind
 * goes through both commands.
 */
class JobBadInputSweepTest {
  @TempDir
  static Path tmp;

  private static final double INF = Double.POSITIVE_INFINITY;

  /** Ten good rows (3 classes), plus {@code extra}, as the monitor test schema. */
  private static Path data(String name, List<Row> extra) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(i, new Double[] {0.5 * i - 2, 1.0, -1.0}, new Double[] {i % 2 * 1.0, 0.0, 1.0},
          1.0));
    }
    rows.addAll(extra);
    Path dir = tmp.resolve(name);
    spark().createDataFrame(rows, MonitorTesting.SCHEMA).write().parquet(dir.toString());
    return dir;
  }

  private static Row row(long id, Double[] x, Double[] y, Double w) {
    return RowFactory.create(Timestamp.valueOf("2025-06-01 10:00:00"), "a", id, x, y, w);
  }

  /** Data whose logits or labels column has another type. */
  private static Path typed(String name, String select) {
    Path dir = tmp.resolve(name);
    spark().createDataFrame(List.of(row(1, new Double[] {1.0}, new Double[] {1.0}, 1.0)),
        MonitorTesting.SCHEMA).selectExpr(select.split(";")).write().parquet(dir.toString());
    return dir;
  }

  private static Path empty(String name) {
    Path dir = tmp.resolve(name);
    spark().createDataFrame(List.of(), MonitorTesting.SCHEMA).write().parquet(dir.toString());
    return dir;
  }

  private static double softplus(double z) {
    return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  }

  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    Path nulls = data("nulls", List.of(row(100, null, new Double[] {1.0, 0.0, 1.0}, 1.0),
        row(101, new Double[] {1.0, Double.NaN, 0.0}, new Double[] {1.0, 0.0, 1.0}, 1.0)));
    Path infinite = data("infinite", List.of(
        row(200, new Double[] {INF, -INF, 0.5}, new Double[] {1.0, 0.0, 1.0}, 1.0)));
    Path shape = data("shape", List.of(row(300, new Double[] {1.0, 2.0}, new Double[] {1.0, 0.0,
        1.0}, 1.0)));
    Path range = data("range", List.of(row(400, new Double[] {1.0, 2.0, 3.0}, new Double[] {1.0,
        2.0, 1.0}, 1.0)));
    Path good = data("good", List.of());
    for (String cmd : List.of("evaluate", "monitor")) {
      c.add(Arguments.of(cmd + ": NULL logits and NaN elements are counted skips", cmd, nulls,
          new String[0], 0, counts(cmd, 10, "null_logits", 1, "nan_logits", 1)));
      c.add(Arguments.of(cmd + ": shape mismatch is a counted skip", cmd, shape, new String[0], 0,
          counts(cmd, 10, "shape_mismatch", 1)));
      c.add(Arguments.of(cmd + ": labels outside [0, 1] are a counted skip", cmd, range,
          new String[0], 0, counts(cmd, 10, "label_out_of_range", 1)));
      c.add(Arguments.of(cmd + ": --invalid fail names the row", cmd, nulls,
          new String[] {"--invalid", "fail"}, 1,
          fragments("invalid row (null_logits)", "\"id\":100")));
      c.add(Arguments.of(cmd + ": string logits", cmd, typed(cmd + "-string",
          "ts;model;id;CAST(logits AS STRING) AS logits;labels;w"), new String[0], 2,
          fragments("--logits column 'logits' has type STRING")));
      c.add(Arguments.of(cmd + ": struct labels", cmd, typed(cmd + "-struct",
          "ts;model;id;logits;named_struct('y', labels) AS labels;w"), new String[0], 2,
          fragments("--labels column 'labels' has type STRUCT")));
      c.add(Arguments.of(cmd + ": missing column", cmd, good,
          new String[] {"--labels", "target"}, 2, fragments("unknown column 'target' (--labels)")));
      c.add(Arguments.of(cmd + ": unknown reduction", cmd, good,
          new String[] {"--reduction", "avg"}, 2, fragments("unknown reduction 'avg'")));
      c.add(Arguments.of(cmd + ": wrong pos_weight length", cmd, good,
          new String[] {"--pos-weight", "1,2"}, 2,
          fragments("pos_weight size (2) must match the number of classes (3)")));
    }
    // Infinite logits are valid: each goes to its limit (0 here) instead of PyTorch's NaN.
    double sum = 0;
    for (int i = 0; i < 10; i++) {
      sum += ((i % 2) == 1 ? softplus(-(0.5 * i - 2)) : softplus(0.5 * i - 2))
          + softplus(1.0) + softplus(1.0);
    }
    sum += softplus(-0.5);
    double expected = sum;
    c.add(Arguments.of("evaluate: infinite logits are valid and reach their limit", "evaluate",
        infinite, new String[] {"--reduction", "sum"}, 0, (Check) (r, out) -> {
          JsonNode s = JobTesting.summary(out);
          assertEquals(11, s.get("rows_used").asLong());
          JobTesting.assertNear(expected, s.get("loss"), "sum with infinite logits");
        }));
    c.add(Arguments.of("evaluate: empty input gives a NULL mean over 0 rows", "evaluate",
        empty("empty-e"), new String[0], 0, (Check) (r, out) -> {
          JsonNode s = JobTesting.summary(out);
          assertEquals(0, s.get("rows").asLong());
          assertTrue(s.get("loss").isNull());
          r.assertOut("rows 0, used 0, skipped 0");
        }));
    c.add(Arguments.of("monitor: empty input writes no window and says so", "monitor",
        empty("empty-m"), new String[0], 0, (Check) (r, out) ->
            r.assertOut("0 window rows written, 0 in all")));
    return c.stream();
  }

  /** What a case must show besides its exit code. */
  interface Check {
    void check(JobTesting.Run run, Path out);
  }

  private static Check fragments(String... f) {
    return (r, out) -> r.assertErr(f);
  }

  /** Rows used and skipped by reason, as evaluate's summary or monitor's history records them. */
  private static Check counts(String cmd, long used, Object... reasons) {
    return (r, out) -> {
      Map<String, Long> skipped = new TreeMap<>();
      long rowsUsed;
      if (cmd.equals("evaluate")) {
        JsonNode s = JobTesting.summary(out);
        rowsUsed = s.get("rows_used").asLong();
        s.get("skipped_by_reason").fields().forEachRemaining(e -> {
          if (e.getValue().asLong() > 0) {
            skipped.put(e.getKey(), e.getValue().asLong());
          }
        });
      } else {
        rowsUsed = 0;
        for (MetricHistory.Metric m : MetricHistory.read(spark(), out.resolve("history").toString())) {
          rowsUsed += m.rowsUsed();
          m.skippedByReason().forEach((k, v) -> {
            if (v > 0) {
              skipped.merge(k, v, Long::sum);
            }
          });
        }
      }
      Map<String, Long> expected = new TreeMap<>();
      for (int i = 0; i < reasons.length; i += 2) {
        expected.put((String) reasons[i], ((Integer) reasons[i + 1]).longValue());
      }
      assertEquals(used, rowsUsed, "rows used");
      assertEquals(expected, skipped, "skipped rows by reason");
    };
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void sweep(String name, String cmd, Path input, String[] extra, int code, Check check) {
    Path out = tmp.resolve("out-" + name.replaceAll("[^a-z0-9]+", "-"));
    List<String> args = new ArrayList<>(List.of(cmd, "--input", input.toString(), "--output",
        out.toString()));
    if (cmd.equals("monitor")) {
      args.addAll(List.of("--time-col", "ts"));
    }
    args.addAll(List.of(extra));
    JobTesting.Run r = run(args.toArray(new String[0]));
    r.assertCode(code);
    assertFalse(r.err().contains("\tat "), "a stack trace instead of a message:\n" + r.err());
    check.check(r, out);
  }
}
