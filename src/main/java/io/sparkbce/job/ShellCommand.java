package io.sparkbce.job;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A command line a user can paste into a POSIX shell: each word quoted only when it must be. */
final class ShellCommand {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");
  private static final Pattern DOUBLE_QUOTABLE = Pattern.compile("[^\"\\\\$`!]*");

  private ShellCommand() {}

  /** {@code ./submit.sh COMMAND ARGS...}, quoted. */
  static String submit(String command, String... args) {
    List<String> words = new ArrayList<>(List.of("./submit.sh", command));
    words.addAll(List.of(args));
    return join(words);
  }

  static String join(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add(quote(w));
    }
    return String.join(" ", quoted);
  }

  /** {@code w} as is, in double quotes if nothing in it expands, else in single quotes. */
  static String quote(String w) {
    if (!w.isEmpty() && PLAIN.matcher(w).matches()) {
      return w;
    }
    if (DOUBLE_QUOTABLE.matcher(w).matches()) {
      return "\"" + w + "\"";
    }
    return "'" + w.replace("'", "'\\''") + "'";
  }
}
