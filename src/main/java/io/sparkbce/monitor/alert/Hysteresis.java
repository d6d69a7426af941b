package io.sparkbce.monitor.alert;

/**
 * {@code --alert-m-of-n M/N}: a window that breaks a rule fires only when at least M of the last
 * N checked windows of its segment, itself included, break a rule (any rule). Fewer than N
 * windows so far: M of those there are.
 */
public record Hysteresis(int m, int n) {
  /** How many of the last {@code windows} checked windows of a segment broke a rule. */
  public record Count(int breaking, int windows) {}

  public String option() {
    return "--alert-m-of-n " + m + "/" + n;
  }

  public boolean fires(Count c) {
    return c.breaking() >= m;
  }
}
