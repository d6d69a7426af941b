package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.monitor.MonitorTest;
import io.sparkbce.monitor.alert.AlertsTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} runs monitor after evaluate: v2's drift fires an alert, the demo still exits 0. */
class DemoMonitorTest {
  @TempDir
  Path tmp;

  @Test
  void demoMonitorsTheDriftOfV2() throws Exception {
    Path dir = tmp.resolve("demo");
    Path mon = dir.resolve("monitor");
    run("demo", "--dir", dir.toString(), "--rows", "28000").assertCode(0)
        .assertOut("$ ./submit.sh monitor --input " + dir.resolve("data")
                + " --time-col date --window \"1 day\" --group-by model_version",
            "ALERT: 1 alert fired", "model_version=v2 window 2025-06-07",
            "An alert fired as expected",
            "The monitoring report is " + mon.resolve("report.html"));
    List<JsonNode> alerts = AlertsTest.lines(mon.resolve("alerts.jsonl"));
    assertEquals(1, alerts.size(), alerts.toString());
    assertEquals("model_version=v2", alerts.get(0).get("segment").asText());
    assertTrue(Files.readString(mon.resolve("report.html")).contains("<svg id=\"loss-chart\""));
    assertEquals(7, MonitorTest.list(mon.resolve("history")).stream()
        .filter(n -> n.startsWith("window_date=")).count());
  }
}
