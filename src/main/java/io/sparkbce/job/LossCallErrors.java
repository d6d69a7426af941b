package io.sparkbce.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The loss functions' row errors in a job's words. A function's message starts with the call as
 * Spark holds it, which in a job is internal text ({@code CASE WHEN (_bce_invalid IS NULL) THEN
 * logits END}); the user wrote options, so the message names the option, the column and the sizes
 * instead.
 */
public final class LossCallErrors {
  private static final Pattern CALL = Pattern.compile("(bce_[a-z_]+)\\(.*\\): (.+)", Pattern.DOTALL);
  private static final Pattern CLASSES =
      Pattern.compile("number of classes \\((\\d+)\\) differs from earlier rows \\((\\d+)\\)");
  private static final Pattern POS_WEIGHT =
      Pattern.compile("pos_weight size \\((\\d+)\\) must match the number of classes \\((\\d+)\\)");

  private final String logits;
  private final String labels;
  /** What asked for a loss per class: "--per-class", or the command when it always does. */
  private final String perClass;

  public LossCallErrors(ResolvedColumns cols, String perClass) {
    this.logits = cols.logits;
    this.labels = cols.labels;
    this.perClass = perClass;
  }

  /** The job's message for a loss function's error, or null if {@code message} is not one. */
  RuntimeException reword(String message) {
    int start = message.indexOf("bce_");
    Matcher call = CALL.matcher(start < 0 ? "" : firstLine(message.substring(start)));
    if (!call.matches()) {
      return null;
    }
    String function = call.group(1);
    String detail = call.group(2).trim();
    Matcher classes = CLASSES.matcher(detail);
    if (classes.find()) {
      boolean auto = function.equals("bce_pos_weight");
      return new JobFailure((auto ? "--pos-weight auto" : perClass) + ": rows of "
          + (auto ? "--labels '" + labels : "--logits '" + logits) + "' have different numbers "
          + "of classes (" + classes.group(2) + " on earlier rows, " + classes.group(1)
          + " on a later one); "
          + (auto ? "pos_weight from the labels" : "a loss per class")
          + " needs the same number of classes on every row (keep rows of one size with --where)");
    }
    Matcher posWeight = POS_WEIGHT.matcher(detail);
    if (posWeight.find()) {
      return new UsageException("--pos-weight has " + posWeight.group(1) + " values, but a row "
          + "of --logits '" + logits + "' has " + posWeight.group(2) + " classes");
    }
    return new JobFailure(detail + " (" + function + " over --logits '" + logits
        + "' and --labels '" + labels + "')");
  }

  private static String firstLine(String m) {
    int sqlState = m.indexOf(" SQLSTATE:");
    String s = sqlState >= 0 ? m.substring(0, sqlState) : m;
    int nl = s.indexOf('\n');
    return nl >= 0 ? s.substring(0, nl) : s;
  }
}
