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

  @Test
  void oneSelfContainedFileWithChartBandMarkersBarsAndTable() {
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertEquals(1, count("<svg id=\"loss-chart\""));
    assertEquals(1, count("<svg id=\"per-class-chart\""));
    for (String seg : List.of("model=a", "model=b")) {
      assertEquals(1, count("<polyline class=\"series\" data-segment=\"" + seg
          + "\" points=\"[0-9., ]+\""), seg);
      assertEquals(DAYS, count("<circle class=\"point\" data-segment=\"" + seg + "\""), seg);
      // the band exists from the 5th window on (4 previous windows)
      assertEquals(1, count("<path class=\"band\" data-segment=\"" + seg
          + "\" d=\"M[0-9.,L ]+Z\""), seg);
      assertEquals(C, count("<rect class=\"bar\" data-segment=\"" + seg + "\" data-class=\"\\d\""),
          seg);
    }
    assertEquals(alerts, count("<g class=\"alert-marker\" data-segment=\"model=b\" "
        + "data-window=\"2025-06-07\""));
    assertEquals(alerts, count("<g class=\"alert-marker\""));
    assertEquals(2 * DAYS, count("<tr class=\"window( alert)?\">"));
    assertEquals(1, count("<tr class=\"window alert\"><td>2025-06-07</td><td>2025-06-08</td>"
        + "<td>model=b</td>"));
    // nothing to fetch: no scripts, no links, no images; the only URL is the SVG namespace
    assertFalse(html.contains("<script"));
    assertFalse(Pattern.compile("\\b(src|href)=").matcher(html).find());
    assertEquals(count("https?://"), count("http://www\\.w3\\.org/2000/svg"));
    assertTrue(html.contains("spark-bce monitor: " + HtmlReport.esc(tmp.resolve("in").toString())));
  }

  static String chromium() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    return null;
  }

  static String runChromium(String exe, Path profile, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "chromium", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
    assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(log));
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void rendersInAHeadlessBrowser() throws Exception {
    String exe = chromium();
    Assumptions.assumeTrue(exe != null, "chromium is not installed (apt-get install -y chromium):"
        + " skipping the headless-browser test of the HTML report");
    String url = report.toUri().toString();
    Path profile = Files.createTempDirectory(tmp, "chromium-profile");
    String dom = runChromium(exe, profile, "--dump-dom", url);
    // the DOM as the browser parsed it: SVG elements in place, band, markers, bars, table rows
    assertTrue(dom.contains("<svg id=\"loss-chart\""), dom);
    for (String seg : List.of("model=a", "model=b")) {
      assertTrue(dom.contains("<polyline class=\"series\" data-segment=\"" + seg + "\""), seg);
      assertTrue(dom.contains("<path class=\"band\" data-segment=\"" + seg + "\""), seg);
    }
    assertEquals(alerts, Pattern.compile("<g class=\"alert-marker\"").matcher(dom).results()
        .count());
    assertEquals(2L * C, Pattern.compile("<rect class=\"bar\"").matcher(dom).results().count());
    assertEquals(2L * DAYS, Pattern.compile("<tr class=\"window").matcher(dom).results().count());

    Path png = Path.of("target", "report.png").toAbsolutePath();
    Files.createDirectories(png.getParent());
    Files.deleteIfExists(png);
    runChromium(exe, Files.createTempDirectory(tmp, "chromium-profile"),
        "--screenshot=" + png, "--window-size=1200,900", url);
    assertTrue(Files.size(png) > 10_000, "screenshot " + png);
    byte[] head = Files.readAllBytes(png);
    assertEquals((byte) 0x89, head[0]);
    assertEquals('P', head[1]);
  }
}
