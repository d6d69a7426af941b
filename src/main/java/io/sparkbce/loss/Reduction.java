package io.sparkbce.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How element losses are combined (SPEC §1, "Reductions"). */
public enum Reduction {
  NONE,
  MEAN,
  SUM,
  WEIGHTED_MEAN;

  public String sqlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Case-insensitive; an unknown name is an error that lists the valid ones. */
  public static Reduction parse(String name, boolean allowNone) {
    if (name != null) {
      for (Reduction r : values()) {
        if (r.sqlName().equalsIgnoreCase(name.trim()) && (allowNone || r != NONE)) {
          return r;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown reduction '" + name + "'; valid reductions are " + validNames(allowNone));
  }

  public static String validNames(boolean allowNone) {
    return Arrays.stream(values())
        .filter(r -> allowNone || r != NONE)
        .map(r -> "'" + r.sqlName() + "'")
        .collect(Collectors.joining(", "));
  }
}
