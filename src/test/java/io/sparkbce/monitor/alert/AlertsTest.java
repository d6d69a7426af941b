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

/**
 * Alerts end to end: threshold and baseline band, the change rule, the minimum-rows guard and the
 * webhook; printed, in alerts.jsonl, exit code 3.
 */
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

  @Test
  void changeAlertsArePostedToTheWebhookAndAFailedDeliveryKeepsThemAndExitCode3()
      throws IOException {
    Path input = tmp.resolve("in");
    // model b drifts on the third day
    MonitorTesting.write(MonitorTesting.events(3, 20, 3, 61, 0, d -> d == 2 ? 1.5 : 0), input,
        false);
    Path out = tmp.resolve("out");
    try (WebhookTest.Server ok = new WebhookTest.Server(n -> 200)) {
      JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "ts",
          "--group-by", "model", "--output", out.toString(), "--alert-change", "+50%",
          "--alert-webhook", ok.uri().toString()).assertCode(3)
          .assertOut("model=b window 2025-06-03T00:00:00Z", "changed by more than 50% from",
              "the loss of the previous window (2025-06-02T00:00:00Z",
              "delivered to http://127.0.0.1:");
      assertFalse(r.out().contains("secret-token"), r.out());
      // expected independently: a day whose loss is above 1.5 x the previous day's, per segment
      List<Row> hist = spark().read().parquet(out.resolve("history").toString())
          .orderBy("segment", "window_start").collectAsList();
      List<String> expected = new ArrayList<>();
      for (int i = 1; i < hist.size(); i++) {
        Row prev = hist.get(i - 1);
        Row cur = hist.get(i);
        if (prev.getAs("segment").equals(cur.getAs("segment"))
            && cur.<Double>getAs("loss") > prev.<Double>getAs("loss") * 1.5) {
          expected.add(cur.getAs("segment") + " " + cur.getAs("window_start") + " "
              + prev.<Double>getAs("loss"));
        }
      }
      assertTrue(expected.stream().anyMatch(e -> e.startsWith("model=b 2025-06-03")), expected
          .toString());
      List<JsonNode> alerts = lines(out.resolve("alerts.jsonl"));
      List<String> got = new ArrayList<>();
      for (JsonNode a : alerts) {
        got.add(a.get("segment").asText() + " " + java.sql.Timestamp.from(
            java.time.Instant.parse(a.get("window_start").asText())) + " "
            + a.get("reference_loss").asDouble());
        assertEquals("change", a.get("kind").asText());
        assertEquals("--alert-change +50% --alert-change-versus previous", a.get("rule").asText());
        assertEquals("above", a.get("direction").asText());
        JobTesting.assertNear(a.get("reference_loss").asDouble() * 1.5, a.get("bound"), "bound");
        assertTrue(a.get("loss").asDouble() > a.get("bound").asDouble(), a.toString());
        assertEquals("delivered", a.path("delivery").path("status").asText());
      }
      assertEquals(expected, got);
      assertEquals(1, ok.bodies.size());
      assertEquals(alerts.size(), JSON.readTree(ok.bodies.get(0)).get("alerts").size());
    }

    // the same run against a webhook that fails: reported, the alerts kept, still exit 3
    Path out2 = tmp.resolve("out2");
    try (WebhookTest.Server failing = new WebhookTest.Server(n -> 500)) {
      run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
          "--output", out2.toString(), "--alert-change", "+50%", "--alert-webhook",
          failing.uri().toString(), "--alert-webhook-timeout", "2s").assertCode(3)
          .assertErr("monitor: warning: the ", "could not be delivered to the webhook "
              + "http://127.0.0.1:", "after 3 attempts (HTTP 500)", "with \"delivery\": failed");
      assertEquals(3, failing.requests.get());
      List<JsonNode> kept = lines(out2.resolve("alerts.jsonl"));
      assertFalse(kept.isEmpty());
      for (JsonNode a : kept) {
        assertEquals("failed", a.path("delivery").path("status").asText());
        assertEquals(500, a.path("delivery").path("http_status").asInt());
      }
    }

    // every window has 20 rows used: with --alert-min-rows 21 none is checked, none fires
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--group-by", "model",
        "--output", tmp.resolve("out3").toString(), "--alert-change", "+50%",
        "--alert-min-rows", "21").assertCode(0).assertOut("alerts: none",
            "not checked (fewer than 21 rows used, --alert-min-rows): 6 windows",
            "  model=b window 2025-06-03T00:00:00Z: 20 rows used");
  }
}
