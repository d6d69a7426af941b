package io.sparkbce.monitor.alert;

import io.sparkbce.job.Options;
import io.sparkbce.job.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alerting options of {@code monitor}: the rules ({@code --alert-above}, {@code
 * --baseline-windows}/{@code --alert-sigma}, {@code --alert-change}), the guard ({@code
 * --alert-min-rows}), the hysteresis ({@code --alert-m-of-n}) and the webhook.
 */
public final class AlertOptions {
  /**
   * The options parsed here; {@code --alert-above}, {@code --baseline-windows} and {@code
   * --alert-sigma} are parsed by MonitorOptions (the report reads them there).
   */
  public static final Set<String> VALUED = Set.of("alert-min-rows", "alert-change",
      "alert-change-versus", "alert-m-of-n", "alert-webhook", "alert-webhook-timeout");
  public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern CHANGE = Pattern.compile("\\s*([+-]?)\\s*(\\d+(\\.\\d+)?)\\s*%\\s*");
  private static final Pattern M_OF_N = Pattern.compile("\\s*(\\d{1,4})\\s*/\\s*(\\d{1,4})\\s*");
  private static final Pattern SECONDS = Pattern.compile(
      "\\s*(\\d{1,6})\\s*(ms|milliseconds?|s|seconds?|minutes?)?\\s*", Pattern.CASE_INSENSITIVE);

  public Double above;
  /** 0: no baseline rule. */
  public int baselineWindows;
  public double sigma;
  /** A window with fewer used rows is not checked and serves no later window. */
  public long minRows;
  public ChangeRule change;
  public Hysteresis mOfN;
  public URI webhook;
  public Duration webhookTimeout = DEFAULT_WEBHOOK_TIMEOUT;

  /** No rule, no guard, no webhook. */
  public static AlertOptions none() {
    return new AlertOptions();
  }

  /**
   * The alerting options of {@code o}, with the threshold and baseline already parsed; {@code
   * windowMillis} the window length (a week must be a whole number of windows for {@code
   * --alert-change-versus week}).
   */
  public static AlertOptions parse(Options o, Double above, int baselineWindows, double sigma,
      long windowMillis) {
    AlertOptions a = new AlertOptions();
    a.above = above;
    a.baselineWindows = baselineWindows;
    a.sigma = sigma;
    a.minRows = o.intValue("alert-min-rows", 0);
    if (a.minRows < 0) {
      throw new UsageException("--alert-min-rows must be 0 or more, got " + a.minRows);
    }
    String versus = o.get("alert-change-versus");
    if (o.get("alert-change") != null) {
      a.change = change(o.get("alert-change"), versus, windowMillis);
    } else if (versus != null) {
      throw new UsageException("--alert-change-versus goes with --alert-change P%");
    }
    if (o.get("alert-m-of-n") != null) {
      a.mOfN = mOfN(o.get("alert-m-of-n"));
    }
    if (o.get("alert-webhook") != null) {
      a.webhook = webhook(o.get("alert-webhook"));
    }
    if (o.get("alert-webhook-timeout") != null) {
      if (a.webhook == null) {
        throw new UsageException("--alert-webhook-timeout goes with --alert-webhook URL");
      }
      a.webhookTimeout = timeout(o.get("alert-webhook-timeout"));
    }
    if (a.rules().isEmpty()) {
      for (String option : List.of("alert-min-rows", "alert-m-of-n", "alert-webhook")) {
        if (o.get(option) != null) {
          throw new UsageException("--" + option + " applies to the alert rules, and none is "
              + "given: add --alert-above X, --baseline-windows N --alert-sigma K, or "
              + "--alert-change P%");
        }
      }
    }
    return a;
  }

  /** The rules asked for, in the order their alerts are listed. */
  public List<AlertRule> rules() {
    List<AlertRule> rules = new ArrayList<>();
    if (above != null) {
      rules.add(new ThresholdRule(above));
    }
    if (baseline() != null) {
      rules.add(baseline());
    }
    if (change != null) {
      rules.add(change);
    }
    return rules;
  }

  /** The baseline rule, or null. */
  public BaselineRule baseline() {
    return baselineWindows < 2 ? null : new BaselineRule(baselineWindows, sigma);
  }

  static ChangeRule change(String text, String versusText, long windowMillis) {
    Matcher m = CHANGE.matcher(text);
    double pct = m.matches() ? Double.parseDouble(m.group(2)) : 0;
    if (!(pct > 0)) {
      throw new UsageException("--alert-change needs a percentage above 0, e.g. 25% (either "
          + "way), +25% (rises only) or -25% (falls only), got '" + text + "'");
    }
    ChangeRule.Sides sides = switch (m.group(1)) {
      case "+" -> ChangeRule.Sides.RISE;
      case "-" -> ChangeRule.Sides.FALL;
      default -> ChangeRule.Sides.BOTH;
    };
    ChangeRule.Versus versus = ChangeRule.Versus.PREVIOUS;
    if (versusText != null) {
      String v = versusText.trim().toLowerCase(Locale.ROOT);
      if (v.equals("week")) {
        versus = ChangeRule.Versus.WEEK;
      } else if (!v.equals("previous")) {
        throw new UsageException("--alert-change-versus is previous (the previous window of the "
            + "segment) or week (the same weekday a week before), got '" + versusText + "'");
      }
    }
    if (versus == ChangeRule.Versus.WEEK && ChangeRule.WEEK_MILLIS % windowMillis != 0) {
      throw new UsageException("--alert-change-versus week compares a window with the one 7 days "
          + "before, which needs a window length that divides a week (1 day, 6 hours, 1 week...), "
          + "not " + windowMillis / 1000 + " seconds");
    }
    return new ChangeRule(pct / 100, sides, versus);
  }

  static Hysteresis mOfN(String text) {
    Matcher mt = M_OF_N.matcher(text);
    if (!mt.matches() || Integer.parseInt(mt.group(1)) < 1
        || Integer.parseInt(mt.group(1)) > Integer.parseInt(mt.group(2))) {
      throw new UsageException("--alert-m-of-n is M/N with 1 <= M <= N (fire when M of the "
          + "last N windows break a rule, e.g. 2/3), got '" + text + "'");
    }
    return new Hysteresis(Integer.parseInt(mt.group(1)), Integer.parseInt(mt.group(2)));
  }

  static URI webhook(String text) {
    try {
      URI u = new URI(text.trim());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) {
        return u;
      }
    } catch (URISyntaxException e) {
      // the message below says what is wanted
    }
    throw new UsageException("--alert-webhook needs an http:// or https:// URL with a host (the "
        + "value given is not shown: webhook URLs often hold a secret)");
  }

  static Duration timeout(String text) {
    Matcher mt = SECONDS.matcher(text);
    if (mt.matches()) {
      long n = Long.parseLong(mt.group(1));
      String unit = mt.group(2) == null ? "s" : mt.group(2).toLowerCase(Locale.ROOT);
      Duration d = unit.equals("ms") || unit.startsWith("milli") ? Duration.ofMillis(n)
          : unit.startsWith("minute") ? Duration.ofMinutes(n) : Duration.ofSeconds(n);
      if (!d.isZero()) {
        return d;
      }
    }
    throw new UsageException("--alert-webhook-timeout needs a positive duration, e.g. 10s, "
        + "500ms, 1 minute, got '" + text + "'");
  }
}
