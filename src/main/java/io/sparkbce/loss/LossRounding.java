package io.sparkbce.loss;

/**
 * How element losses are rounded, chosen once per JVM by {@code -Dio.sparkbce.rounding}.
 *
 * <p>{@link #CORRECT} (the default): every loss, gradient and reduction is the true value
 * rounded once ({@link CorrectlyRounded}, {@link TrueSum}). {@link #FAST}: the previous round's
 * kernels ({@link FastLosses}, {@link FastVectorKernel}), within a few ulp of the true value and
 * about 3x cheaper per element on the vector path; kept because that cost is measurable on a bare
 * scan (README, issue 17). Reductions stay exact sums of the elements they get, rounded once, so
 * they are still bit-identical across partitionings, but of the fast elements. Set it on the
 * driver and on the executors alike (spark.driver/executor.extraJavaOptions), or the two compute
 * different bits. Not "sparkbce.*": Spark rejects executor options that start with -Dspark.
 */
public enum LossRounding {
  CORRECT,
  FAST;

  public static final String PROPERTY = "io.sparkbce.rounding";

  /** This JVM's choice; an unknown value fails the class's initialisation, naming the option. */
  public static final LossRounding SELECTED = parse(System.getProperty(PROPERTY));

  static LossRounding parse(String value) {
    if (value == null || value.isEmpty() || value.equalsIgnoreCase("correct")) {
      return CORRECT;
    }
    if (value.equalsIgnoreCase("fast")) {
      return FAST;
    }
    throw new IllegalArgumentException(
        "-D" + PROPERTY + "=" + value + ": expected 'correct' (the default) or 'fast'");
  }

  /** Whether this JVM runs the fast kernels. */
  static final boolean FAST_SELECTED = SELECTED == FAST;
}
