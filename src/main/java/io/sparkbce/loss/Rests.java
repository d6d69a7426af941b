package io.sparkbce.loss;

/**
 * How close to an element's true value v its {@code hi + lo} must be when an exact reduction
 * ({@link TrueSum}) adds it: |hi + lo - v| <= 2^-bits |hi| + 2^-940. A tier may deliver an element
 * when its proven error, 2^-k M (M the magnitude of the expression's terms, computed with
 * relative error below 2^-50), is within that: M <= ratio |hi|.
 */
public enum Rests {
  /**
   * The default: tier 1 ({@link TableSoftplus}, 2^-67.99 M) when M <= 1.5 |hi| (always, for
   * losses without cancellation: M = |v|), giving <= 2^-67.4 |hi|; tier 2 (2^-94 M) when
   * M <= 2^26 |hi|. {@link TrueSum} adds the rest truncated to 2^-32 ulp(hi) (2^-84 |hi| more,
   * a term of its own in its bound). A reduction is then decided unless its true value lies
   * within about 2^-66 (relative) of a rounding boundary.
   */
  TABLE(67, 1.5, 0x1p26),
  /**
   * Tier 2 only (2^-94 M when M <= 8 |hi|: 2^-91), rests added exactly: decided but within about
   * 2^-89 of a boundary.
   */
  DOUBLE_DOUBLE(90, 0.0, 8.0);

  /** The relative bound's exponent. */
  public final int bits;
  /** Largest M / |hi| for which tier 1's result is delivered (0: never). */
  final double tableRatio;
  /** Largest M / |hi| for which tier 2's result is delivered. */
  final double doubleDoubleRatio;

  Rests(int bits, double tableRatio, double doubleDoubleRatio) {
    this.bits = bits;
    this.tableRatio = tableRatio;
    this.doubleDoubleRatio = doubleDoubleRatio;
  }

  /** Whether a result of magnitude M and high part hi meets this bound at a tier's ratio. */
  static boolean within(double magnitude, double hi, double ratio) {
    return magnitude <= ratio * Math.abs(hi);
  }
}
