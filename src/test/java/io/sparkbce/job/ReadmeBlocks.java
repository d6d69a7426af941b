package io.sparkbce.job;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced blocks of a Markdown file and the marker each one carries on the line above its
 * opening fence: {@code <!-- readme-test: run -->} (the test runs it), {@code <!-- readme-test:
 * output -->} (what the run block above it prints, compared as text) or {@code <!-- readme-test:
 * not run: WHY -->}. A block without a marker is an error, so none is skipped silently.
 */
final class ReadmeBlocks {
  private static final Pattern MARKER =
      Pattern.compile("<!-- readme-test: (run|output|not run: (.+?)) -->");

  enum Kind { RUN, OUTPUT, NOT_RUN }

  /** One fenced block: its file, the line of its opening fence, language, marker and text. */
  record Block(String file, int line, String language, Kind kind, String reason, String text) {
    String where() {
      return file + ":" + line + " (```" + language + ")";
    }
  }

  private ReadmeBlocks() {}

  static List<Block> parse(String file, String markdown) {
    List<Block> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("```")) {
        continue;
      }
      int open = i;
      StringBuilder text = new StringBuilder();
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
        text.append(lines[i]).append('\n');
      }
      if (i == lines.length) {
        throw new AssertionError(file + ":" + (open + 1) + ": a block that is never closed");
      }
      Matcher m = MARKER.matcher(open > 0 ? lines[open - 1].strip() : "");
      if (!m.matches()) {
        throw new AssertionError(file + ":" + (open + 1) + ": a block without a marker on the "
            + "line above (<!-- readme-test: run|output|not run: WHY -->)");
      }
      Kind kind = m.group(2) != null ? Kind.NOT_RUN
          : m.group(1).equals("run") ? Kind.RUN : Kind.OUTPUT;
      blocks.add(new Block(file, open + 1, lines[open].substring(3).strip(), kind, m.group(2),
          text.toString()));
    }
    return blocks;
  }

  /** The commands of a bash block: comments dropped, backslash continuations joined. */
  static List<String> commands(String bash) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : bash.split("\n")) {
      String text = line.strip();
      int comment = text.startsWith("#") ? 0 : text.indexOf("  #");
      if (comment >= 0) {
        text = text.substring(0, comment).strip();
      }
      if (text.isEmpty() && current.length() == 0) {
        continue;
      }
      current.append(current.length() == 0 ? "" : " ").append(text);
      if (current.toString().endsWith("\\")) {
        current.setLength(current.length() - 1);
        current = new StringBuilder(current.toString().strip());
      } else {
        out.add(current.toString());
        current.setLength(0);
      }
    }
    return out;
  }
}
