package io.sparkbce.job;

/**
 * A job that failed because another run changed what it writes at the same time (a concurrent
 * writer of a Delta history) or held its lock longer than {@code --lock-wait} (a Parquet
 * history): nothing of this run was written, and running it again may succeed.
 * Exit code {@value #EXIT} (EX_TEMPFAIL of sysexits.h), which schedulers can retry on.
 */
public final class RetryableFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  public static final int EXIT = 75;

  public RetryableFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** The first RetryableFailure in the cause chain of {@code t} (Spark wraps), or null. */
  public static RetryableFailure in(Throwable t) {
    int depth = 0;
    for (Throwable c = t; c != null && depth < 20; c = c.getCause(), depth++) {
      if (c instanceof RetryableFailure r) {
        return r;
      }
    }
    return null;
  }
}
