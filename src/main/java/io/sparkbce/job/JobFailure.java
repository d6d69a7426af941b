package io.sparkbce.job;

/** A job that was started correctly but could not finish (bad data, I/O, Spark): exit code 1. */
public final class JobFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JobFailure(String message) {
    super(message);
  }

  public JobFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The most specific message in a chain of causes: Spark wraps a task's exception in "Job aborted
   * due to stage failure: ..." several times; the user wants the innermost explanation. Executors
   * that cannot load spark-bce's classes get {@link io.sparkbce.udf.ExecutorJarCheck#MESSAGE}.
   */
  public static String rootMessage(Throwable t) {
    if (io.sparkbce.udf.ExecutorJarCheck.isMissingJar(t)) {
      // the innermost message would be a ClassCastException that does not name the jar
      return io.sparkbce.udf.ExecutorJarCheck.MESSAGE;
    }
    String best = t.getMessage() == null ? t.toString() : t.getMessage();
    int depth = 0;
    for (Throwable c = t.getCause(); c != null && c != t && depth < 20; c = c.getCause(), depth++) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        best = c.getMessage();
      }
      t = c;
    }
    return best;
  }

  /**
   * What a job reports for an exception out of Spark: an analysis error (bad --where, column or
   * type) is a usage error, an invalid row under --invalid fail or anything else a failure, with
   * the innermost explanation as its message. Returned, for the caller to throw.
   */
  public static RuntimeException translate(Exception e) {
    return translate(e, null);
  }

  /** {@link #translate(Exception)}, with the loss functions' errors in the job's words. */
  public static RuntimeException translate(Exception e, LossCallErrors calls) {
    if (e instanceof UsageException || e instanceof JobFailure) {
      return (RuntimeException) e;
    }
    RetryableFailure retry = RetryableFailure.in(e);
    if (retry != null) {
      return retry;
    }
    if (e instanceof org.apache.spark.sql.AnalysisException a) {
      return new UsageException(a.getSimpleMessage(), e);
    }
    String invalid = findMessage(e, Evaluate.INVALID_MARKER);
    if (invalid != null) {
      return new JobFailure(invalid + "\n(--invalid fail stops at the first invalid row; "
          + "--invalid report skips invalid rows and counts them by reason)", e);
    }
    String m = rootMessage(e);
    RuntimeException reworded = calls == null ? null : calls.reword(m);
    if (reworded != null) {
      reworded.initCause(e);
      return reworded;
    }
    if (m.contains("pos_weight size (")) {
      return new UsageException(m, e);
    }
    return new JobFailure(m, e);
  }

  /** The first message in the chain that contains {@code marker}, from the marker on. */
  static String findMessage(Throwable t, String marker) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
      String m = c.getMessage();
      if (m != null && m.contains(marker)) {
        String s = m.substring(m.indexOf(marker));
        int sqlState = s.indexOf(" SQLSTATE:");
        if (sqlState >= 0) {
          s = s.substring(0, sqlState);
        }
        int newline = s.indexOf('\n');
        return (newline >= 0 ? s.substring(0, newline) : s).trim();
      }
    }
    return null;
  }
}
