package io.sparkbce.monitor.alert;

import java.util.Map;

/**
 * How a window breaks a rule: its loss is {@code direction} ({@link #ABOVE}, {@link #BELOW}, or
 * {@link #NOT_A_NUMBER}) the {@code bound}. {@code details} are the rule's own figures (threshold;
 * band mean, σ and bounds; reference window and loss), written as fields of the alert record, in
 * order; {@code message} says all of it for people.
 */
public record Breach(String kind, String rule, String direction, double bound,
    Map<String, Object> details, String message) {
  public static final String ABOVE = "above";
  public static final String BELOW = "below";
  /** A NaN loss breaks every rule that can judge the window: it is never within a bound. */
  public static final String NOT_A_NUMBER = "not_a_number";
}
