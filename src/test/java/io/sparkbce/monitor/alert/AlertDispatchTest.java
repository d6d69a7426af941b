package io.sparkbce.monitor.alert;

import static io.sparkbce.monitor.alert.Windows.day;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts written to alerts.jsonl and posted: the delivery is recorded in the lines, a failed one
 * is reported and loses nothing, a re-run posts nothing already there.
 */
@Timeout(60)
public class AlertDispatchTest {
  @TempDir
  Path tmp;

  private static AlertCheck.Result twoAlerts(AlertOptions o) {
    List<Metric> history = List.of(day(1, "model=a", 2, 10), day(1, "model=<!channel> & co", 3,
        10), day(1, "model=c", 0.5, 10));
    return AlertCheck.run(history, history, o);
  }

  private static AlertOptions threshold(java.net.URI webhook) {
    AlertOptions o = AlertOptions.none();
    o.above = 1.0;
    o.webhook = webhook;
    return o;
  }

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(Alerts.JSON.readTree(l));
    }
    return out;
  }

  @Test
  void deliveredAlertsAreRecordedAsDeliveredAndPostedWithTextAndRecords() throws IOException {
    Path file = tmp.resolve("alerts.jsonl");
    try (WebhookTest.Server server = new WebhookTest.Server(n -> 200)) {
      AlertOptions o = threshold(server.uri());
      AlertDispatch sent = AlertDispatch.send(new Configuration(), file.toString(), twoAlerts(o),
          o, "in/data");
      List<JsonNode> written = lines(file);
      assertEquals(2, written.size());
      for (JsonNode l : written) {
        assertEquals("delivered", l.path("delivery").path("status").asText(), l.toString());
        assertEquals(1, l.path("delivery").path("attempts").asInt());
      }
      assertEquals(1, server.bodies.size());
      JsonNode body = Alerts.JSON.readTree(server.bodies.get(0));
      // Slack's text: the messages, with & < > escaped so that a segment cannot ping a channel
      String text = body.get("text").asText();
      assertTrue(text.startsWith("spark-bce monitor in/data: 2 alerts fired\n• model="), text);
      assertTrue(text.contains("\n• model=a window 2025-06-01T00:00:00Z: loss (mean) "), text);
      assertTrue(text.contains("model=&lt;!channel&gt; &amp; co window"), text);
      assertFalse(text.contains("<!channel>"), text);
      // the records, as in alerts.jsonl but for the delivery
      JsonNode posted = body.get("alerts");
      assertEquals(2, posted.size());
      for (int i = 0; i < 2; i++) {
        ObjectNode line = ((ObjectNode) written.get(i)).deepCopy();
        line.remove("delivery");
        assertEquals(line, posted.get(i));
      }
      assertEquals(java.util.Set.of("model=a", "model=<!channel> & co"), java.util.Set.of(
          posted.get(0).get("segment").asText(), posted.get(1).get("segment").asText()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      sent.print(new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("webhook: 2 alerts delivered to "
          + "http://127.0.0.1:" + server.http.getAddress().getPort() + "/… (attempt 1)"));

      // a re-run with the same alerts writes and posts nothing
      AlertDispatch.send(new Configuration(), file.toString(), twoAlerts(o), o, "in/data");
      assertEquals(1, server.requests.get());
      assertEquals(written, lines(file));
    }
  }

  @Test
  void aFailedDeliveryIsReportedAndTheAlertsStayInAlertsJsonl() throws IOException {
    Path file = tmp.resolve("alerts.jsonl");
    // an earlier run's alerts, without a webhook: 3 lines above 0.4
    AlertOptions before = threshold(null);
    before.above = 0.4;
    AlertDispatch.send(new Configuration(), file.toString(), twoAlerts(before), before, "in");
    List<String> earlier = Files.readAllLines(file);
    assertEquals(3, earlier.size());
    WebhookTest.Server server = new WebhookTest.Server(n -> 200);
    AlertOptions o = threshold(server.uri());
    server.close();
    AlertDispatch sent = AlertDispatch.send(new Configuration(), file.toString(), twoAlerts(o), o,
        "in");
    List<JsonNode> lines = lines(file);
    assertEquals(5, lines.size());
    assertEquals(earlier, Files.readAllLines(file).subList(0, 3));
    assertTrue(lines.get(0).path("delivery").isMissingNode(), "no webhook, no delivery field");
    for (JsonNode l : lines.subList(3, 5)) {
      assertEquals("threshold", l.get("kind").asText());
      assertEquals("failed", l.path("delivery").path("status").asText());
      assertEquals(Webhook.ATTEMPTS, l.path("delivery").path("attempts").asInt());
      assertTrue(l.path("delivery").path("error").asText().startsWith("cannot connect"));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    sent.print(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.startsWith("monitor: warning: the 2 new alerts could not be delivered to the "
        + "webhook http://127.0.0.1:"), e);
    assertTrue(e.contains("after 3 attempts (cannot connect"), e);
    assertTrue(e.contains("they are in " + file + " with \"delivery\": failed"), e);
    assertFalse(e.contains("secret-token"), e);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("ALERT: 2 alerts fired"));
  }
}
