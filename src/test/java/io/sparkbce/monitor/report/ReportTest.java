package io.sparkbce.monitor.report;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import io.sparkbce.monitor.MonitorTesting;
import io.sparkbce.monitor.alert.AlertsTest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report: its structure as text, and rendered in a headless Chromium. */
class ReportTest {
  static final int C = 3;
  static final int DAYS = 7;
  @TempDir
  static Path tmp;
  static Path report;
  static String html;
  static int alerts;

  @BeforeAll
  static void monitor() throws IOException {
    Path input = tmp.resolve("in");
    // model b drifts badly on the last day
    MonitorTesting.write(MonitorTesting.events(DAYS, 50, C, 61, 0,
        d -> d == DAYS - 1 ? 1.5 : 0), input, false);
    Path out = tmp.resolve("out");
    report = tmp.resolve("report & more.html");
    JobTesting.Run r = run("monitor", "--input", input.toString(), "--time-col", "ts",
        "--group-by", "model", "--output", out.toString(), "--report", report.toString(),
        "--baseline-windows", "4", "--alert-sigma", "4");
    r.assertCode(3).assertOut("report: " + report);
    alerts = AlertsTest.lines(out.resolve("alerts.jsonl")).size();
    assertTrue(alerts >= 1);
    html = Files.readString(report);
  }

  static int count(String regex) {
    Matcher m = Pattern.compile(regex).matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The SVG of chart {@code id}. */
  static String chart(String id) {
    int from = html.indexOf("<svg id=\"" + id + "\"");
    assertTrue(from >= 0, id);
    return html.substring(from, html.indexOf("</svg>", from));
  }

  static int count(String text, String regex) {
    return (int) Pattern.compile(regex).matcher(text).results().count();
  }

  @Test
  void oneSelfContainedFileWithChartsBandMarkersBarsAndTable() {
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    for (String id : List.of("loss-chart", "normalized-entropy-chart", "calibration-chart",
        "positive-rate-chart", "rows-chart", "skipped-chart", "class-0-chart", "class-1-chart",
        "class-2-chart", "per-class-chart")) {
      assertEquals(1, count("<svg id=\"" + id + "\""), id);
    }
    String loss = chart("loss-chart");
    for (String seg : List.of("model=a", "model=b")) {
      assertEquals(1, count(loss, "<path class=\"series\" data-segment=\"" + seg
          + "\" d=\"M[0-9.,L ]+\""), seg);
      assertEquals(DAYS, count(loss, "<circle class=\"point\" data-segment=\"" + seg + "\""),
          seg);
      // the band exists from the 5th window on (4 previous windows)
      assertEquals(1, count(loss, "<path class=\"band\" data-segment=\"" + seg
          + "\" d=\"M[0-9.,L ]+Z\""), seg);
      assertEquals(C, count("<rect class=\"bar\" data-segment=\"" + seg + "\" data-class=\"\\d\""),
          seg);
      // a line per segment in every time chart: loss, NE, calibration, positive rate, rows,
      // skipped, one per class
      assertEquals(6 + C, count("<path class=\"series\" data-segment=\"" + seg + "\""), seg);
    }
    assertEquals(alerts, count(loss, "<g class=\"alert-marker\" data-segment=\"model=b\" "
        + "data-window=\"2025-06-07\""));
    assertEquals(alerts, count("<g class=\"alert-marker\""));
    assertEquals(2 * DAYS, count("<tr class=\"window( alert)?\">"));
    assertTrue(html.contains("All " + 2 * DAYS + " window rows of the history, newest first."));
    assertEquals(1, count("<tr class=\"window alert\"><td class=\"time\">2025-06-07</td>"
        + "<td class=\"time\">2025-06-08</td><td>model=b</td>"));
    assertTrue(html.contains("All times are UTC. Generated at "), "time zone stated");
    // nothing to fetch: no scripts, no links, no images; the only URL is the SVG namespace
    assertFalse(html.contains("<script"));
    assertFalse(Pattern.compile("\\b(src|href)=").matcher(html).find());
    assertEquals(count("https?://"), count("http://www\\.w3\\.org/2000/svg"));
    assertTrue(html.contains("spark-bce monitor: " + Svg.esc(tmp.resolve("in").toString())));
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void rendersInAHeadlessBrowser() throws Exception {
    HeadlessChromium browser = HeadlessChromium.require(tmp);
    String dom = browser.dumpDom(report, 1200, 900);
    // the DOM as the browser parsed it: SVG elements in place, band, markers, bars, table rows
    assertTrue(dom.contains("<svg id=\"loss-chart\""), dom);
    for (String seg : List.of("model=a", "model=b")) {
      assertTrue(dom.contains("<path class=\"series\" data-segment=\"" + seg + "\""), seg);
      assertTrue(dom.contains("<path class=\"band\" data-segment=\"" + seg + "\""), seg);
    }
    assertEquals(alerts, Pattern.compile("<g class=\"alert-marker\"").matcher(dom).results()
        .count());
    assertEquals(2L * C, Pattern.compile("<rect class=\"bar\"").matcher(dom).results().count());
    assertEquals(2L * DAYS, Pattern.compile("<tr class=\"window").matcher(dom).results().count());

    browser.screenshot(report, Path.of("target", "report.png").toAbsolutePath(), 1200, 900);
  }
}
