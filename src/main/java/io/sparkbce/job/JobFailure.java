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
   * due to stage failure: ..." several times; the user wants the innermost explanation.
   */
  public static String rootMessage(Throwable t) {
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
