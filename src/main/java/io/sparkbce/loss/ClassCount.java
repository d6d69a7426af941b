package io.sparkbce.loss;

/**
 * The per-class states' rule: the first row with classes fixes their number, and a row with
 * another number is an error naming both, rather than a silently ragged result.
 */
final class ClassCount {
  private ClassCount() {}

  /** Whether per-class state must be created now; throws if {@code incoming} contradicts it. */
  static boolean first(int known, int incoming) {
    if (known == 0) {
      return true;
    }
    if (known != incoming) {
      throw new IllegalArgumentException(
          "number of classes (" + incoming + ") differs from earlier rows (" + known + ")");
    }
    return false;
  }
}
