package io.sparkbce.monitor.alert;

import static io.sparkbce.job.JobTesting.JSON;
import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.MonitorTesting.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alerts: threshold and baseline band, printed, in alerts.jsonl, exit code 3. */
public class AlertsTest {
  @TempDir
  Path tmp;

  public static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      if (!l.isBlank()) {
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }

  @Test
  void thresholdAlertsExitWith3AndAreWrittenNextToTheHistory() throws IOException {
    List<Event> events = MonitorTesting.events(2, 20, 3, 41, 0, d -> d == 1 ? 2.0 : 0);
    Path input = tmp.resolve("in");
    MonitorTesting.write(events, input, false);
    Path out = tmp.resolve("out");
    // model b's second day is far worse than everything else
    double worst = 0;
    double secondWorst = 0;
    for (String day : List.of("2025-06-01", "2025-06-02")) {
      for (String model : List.of("a", "b")) {
        List<Event> mine = events.stream().filter(e -> e.day().equals(day)
            && e.model().equals(model)).toList();
        double[] ref = MonitorTesting.reference(mine, null, false, -1);
        double loss = ref[0] / ref[1];
        if (loss > worst) {
          secondWorst = worst;
          worst = loss;
        } else {
          secondWorst = Math.max(secondWorst, loss);
        }
      }
    }
    double threshold = (worst + secondWorst) / 2;
    JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--output", out.toString(), "--alert-above",
        Double.toString(threshold)).assertCode(3)
        .assertOut("ALERT: 1 alert fired (written to " + out.resolve("alerts.jsonl") + ")",
            "model=b window 2025-06-02", "is above --alert-above");
    assertTrue(r.out().contains("threshold"), r.out());
    List<JsonNode> alerts = lines(out.resolve("alerts.jsonl"));
    assertEquals(1, alerts.size());
    JsonNode a = alerts.get(0);
    assertEquals("threshold", a.get("kind").asText());
    assertEquals("model=b", a.get("segment").asText());
    assertEquals(threshold, a.get("threshold").asDouble());
    JobTesting.assertNear(worst, a.get("loss"), "alert loss");
    assertTrue(a.get("window_start").asText().startsWith("2025-06-02"), a.toString());

    // a second run fires the same alert again but does not append it twice
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", out.toString(), "--alert-above", Double.toString(threshold)).assertCode(3)
        .assertOut("ALERT: 1 alert fired (0 new written to " + out.resolve("alerts.jsonl")
            + ", 1 already there)");
    assertEquals(1, lines(out.resolve("alerts.jsonl")).size());
    // another threshold is another rule: its alert is appended
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", out.toString(), "--alert-above", Double.toString(threshold * 0.999))
        .assertCode(3);
    assertEquals(2, lines(out.resolve("alerts.jsonl")).size());
    // and a threshold above everything: no alert, exit 0
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", out.toString(), "--alert-above", Double.toString(worst * 2)).assertCode(0)
        .assertOut("alerts: none");
  }

  @Test
  void baselineAlertWhenAWindowLeavesMeanPlusMinusKSigmaOfThePreviousN() throws IOException {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(6, 60, 3, 51, 0, d -> 0), input, false);
    Path out = tmp.resolve("out");
    String[] base = {"monitor", "--input", input.toString(), "--time-col", "ts", "--group-by",
        "model", "--output", out.toString(), "--baseline-windows", "4", "--alert-sigma", "3"};
    run(base).assertCode(0).assertOut("alerts: none");
    // a drifted day for model b arrives
    MonitorTesting.write(MonitorTesting.events(1, 60, 3, 52, 6, d -> 1.2), input, true);
    List<String> a = new ArrayList<>(List.of(base));
    a.addAll(List.of("--since", "2025-06-07"));
    run(a.toArray(new String[0])).assertCode(3).assertOut("ALERT", "model=b window 2025-06-07",
        "outside the baseline");
    List<JsonNode> alerts = lines(out.resolve("alerts.jsonl"));
    assertEquals(1, alerts.size(), alerts.toString());
    JsonNode alert = alerts.get(0);
    assertEquals("baseline", alert.get("kind").asText());
    assertEquals("model=b", alert.get("segment").asText());
    // the band, independently: mean and sample sigma of the 4 previous windows of model=b
    List<Row> hist = spark().read().parquet(out.resolve("history").toString())
        .where("segment = 'model=b'").orderBy("window_start").collectAsList();
    assertEquals(7, hist.size());
    double[] prev = new double[4];
    for (int i = 0; i < 4; i++) {
      prev[i] = hist.get(2 + i).<Double>getAs("loss");
    }
    double mean = (prev[0] + prev[1] + prev[2] + prev[3]) / 4;
    double ss = 0;
    for (double v : prev) {
      ss += (v - mean) * (v - mean);
    }
    double sigma = Math.sqrt(ss / 3);
    assertEquals(mean, alert.get("baseline_mean").asDouble(), 1e-12 * mean);
    assertEquals(sigma, alert.get("baseline_sigma").asDouble(), 1e-9 * sigma);
    assertEquals(mean + 3 * sigma, alert.get("upper").asDouble(), 1e-9 * mean);
    assertTrue(hist.get(6).<Double>getAs("loss") > mean + 3 * sigma);
    assertFalse(Files.readString(out.resolve("report.html")).isEmpty());
  }
}
