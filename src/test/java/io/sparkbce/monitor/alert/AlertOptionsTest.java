package io.sparkbce.monitor.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.UsageException;
import io.sparkbce.monitor.MonitorOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alerting options as monitor parses them, and their errors (each naming the option). */
public class AlertOptionsTest {
  private static AlertOptions parse(String... extra) {
    List<String> args = new ArrayList<>(List.of("--input", "in", "--time-col", "ts"));
    args.addAll(List.of(extra));
    return MonitorOptions.parse(args.toArray(new String[0])).alerting;
  }

  private static void refused(String expected, String... extra) {
    UsageException e = assertThrows(UsageException.class, () -> parse(extra));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void rulesGuardHysteresisAndWebhookAreParsed() {
    AlertOptions o = parse("--alert-above", "0.3", "--alert-sigma", "2", "--alert-change",
        "+12.5%", "--alert-change-versus", "week", "--alert-min-rows", "100", "--alert-m-of-n",
        "2/3", "--alert-webhook", "https://hooks.example.com/T/B/x", "--alert-webhook-timeout",
        "1500ms");
    assertEquals(List.of(new ThresholdRule(0.3), new BaselineRule(7, 2),
        new ChangeRule(0.125, ChangeRule.Sides.RISE, ChangeRule.Versus.WEEK)), o.rules());
    assertEquals(100, o.minRows);
    assertEquals(new Hysteresis(2, 3), o.mOfN);
    assertEquals(Duration.ofMillis(1500), o.webhookTimeout);
    assertEquals("https://hooks.example.com/T/B/x", o.webhook.toString());
    AlertOptions d = parse("--alert-change", "25%");
    assertEquals(List.of(new ChangeRule(0.25, ChangeRule.Sides.BOTH, ChangeRule.Versus.PREVIOUS)),
        d.rules());
    assertEquals(0, d.minRows);
    assertNull(d.mOfN);
    assertEquals(Duration.ofSeconds(10), d.webhookTimeout);
    assertEquals(Duration.ofMinutes(2), parse("--alert-above", "1", "--alert-webhook",
        "http://h/x", "--alert-webhook-timeout", "2 minutes").webhookTimeout);
    assertTrue(parse().rules().isEmpty());
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    refused("--alert-change needs a percentage above 0", "--alert-change", "25");
    refused("--alert-change needs a percentage above 0", "--alert-change", "0%");
    refused("--alert-change-versus is previous", "--alert-change", "5%",
        "--alert-change-versus", "month");
    refused("--alert-change-versus goes with --alert-change", "--alert-above", "1",
        "--alert-change-versus", "week");
    refused("--alert-change-versus week compares a window with the one 7 days before",
        "--alert-change", "5%", "--alert-change-versus", "week", "--window", "5 hours");
    refused("--alert-m-of-n is M/N with 1 <= M <= N", "--alert-above", "1", "--alert-m-of-n",
        "3/2");
    refused("--alert-m-of-n is M/N", "--alert-above", "1", "--alert-m-of-n", "0/2");
    refused("--alert-min-rows must be 0 or more", "--alert-above", "1", "--alert-min-rows", "-1");
    refused("--alert-min-rows needs a whole number", "--alert-min-rows", "many");
    refused("--alert-m-of-n applies to the alert rules, and none is given", "--alert-m-of-n",
        "1/2");
    refused("--alert-webhook applies to the alert rules", "--alert-webhook", "http://h/x");
    refused("--alert-webhook-timeout goes with --alert-webhook", "--alert-above", "1",
        "--alert-webhook-timeout", "5s");
    refused("--alert-webhook-timeout needs a positive duration", "--alert-above", "1",
        "--alert-webhook", "http://h/x", "--alert-webhook-timeout", "0s");
    UsageException e = assertThrows(UsageException.class,
        () -> parse("--alert-above", "1", "--alert-webhook", "hooks.example.com/T/B/tok3n"));
    assertTrue(e.getMessage().startsWith("--alert-webhook needs an http:// or https:// URL"),
        e.getMessage());
    assertFalse(e.getMessage().contains("tok3n"), e.getMessage());
  }
}
