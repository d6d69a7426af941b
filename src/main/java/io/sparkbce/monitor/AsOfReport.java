package io.sparkbce.monitor;

import io.sparkbce.job.JobFailure;
import io.sparkbce.job.TerminalText;
import io.sparkbce.monitor.alert.AlertCheck;
import io.sparkbce.monitor.alert.Alerts;
import io.sparkbce.monitor.history.DeltaHistory;
import io.sparkbce.monitor.history.MetricHistory.Metric;
import io.sparkbce.monitor.report.HtmlReport;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@code monitor --as-of VERSION|TIME}: the Delta history as it stood then, read back by Delta's
 * time travel, printed (its windows within --since/--until, with the alerts the rules give on
 * it) and drawn in the report. An audit: the input is not read, the history and alerts.jsonl are
 * not written, and it exits 0 whatever the alerts.
 */
final class AsOfReport {
  private AsOfReport() {}

  static Monitor.Result run(SparkSession spark, MonitorOptions m, PrintStream out) {
    try {
      List<Metric> history = DeltaHistory.readAsOf(spark, m.history, m.asOf);
      List<Metric> shown = new ArrayList<>();
      ZoneId zone = ZoneId.of(spark.conf().get("spark.sql.session.timeZone"));
      for (Metric mt : history) {
        if (within(mt.windowStart().toInstant(), m.since, m.until, zone)) {
          shown.add(mt);
        }
      }
      // the rules monitor applies to the windows it computes, here to the windows shown
      AlertCheck.Result checked = AlertCheck.run(history, shown, m.alerting);
      List<Alerts.Alert> alerts = checked.alerts();
      HtmlReport.write(spark.sparkContext().hadoopConfiguration(), m.report, m, history);
      out.print(Monitor.table(m, shown, alerts, 0));
      out.println("history: " + TerminalText.escape(m.history) + " as of " + m.asOf + " ("
          + history.size() + " window rows, " + shown.size() + " shown; nothing written)");
      out.println(alerts.isEmpty() ? "alerts as of " + m.asOf + ": none"
          : "alerts as of " + m.asOf + " (not written to alerts.jsonl): " + alerts.size());
      for (Alerts.Alert a : alerts) {
        out.println("  " + TerminalText.escape(a.message()));
      }
      out.println("report: " + TerminalText.escape(m.report));
      return new Monitor.Result(List.of(), history, List.of(), m.report);
    } catch (Exception e) {
      throw JobFailure.translate(e);
    }
  }

  /** Whether since <= start < until, the bounds read in the session time zone as --since is. */
  private static boolean within(Instant start, String since, String until, ZoneId zone) {
    return (since == null || !start.isBefore(instant(since, zone)))
        && (until == null || start.isBefore(instant(until, zone)));
  }

  /** yyyy-MM-dd[ HH:mm[:ss[.f]]] in {@code zone}. */
  private static Instant instant(String t, ZoneId zone) {
    String full = t.length() == 10 ? t + " 00:00" : t;
    return LocalDateTime.parse(full.replace(' ', 'T')).atZone(zone).toInstant();
  }
}
