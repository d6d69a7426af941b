package io.sparkbce.loss;

/** A probability or BCE target outside [0, 1]; the message is PyTorch's, plus the value. */
public final class ProbabilityRangeException extends IllegalArgumentException {
  private final String role;
  private final double value;

  public ProbabilityRangeException(String role, double value) {
    super("all elements of " + role + " should be between 0 and 1, got " + value);
    this.role = role;
    this.value = value;
  }

  /** "input" or "target". */
  public String role() {
    return role;
  }

  public double value() {
    return value;
  }
}
