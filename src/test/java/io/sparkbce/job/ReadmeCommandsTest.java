package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ./submit.sh} command of the ```bash blocks of README.md and udf/README.md runs, as
 * written, on a small copy of the demo data (its path and the outputs under target/ moved to a
 * temp dir), so that an example that stops working fails the build. The few run elsewhere are
 * listed with the test that runs them.
 */
class ReadmeCommandsTest {
  /** Commands run by another test, which would be slow or clobber the user's target/demo here. */
  private static final Map<String, String> RUN_ELSEWHERE = Map.of(
      "demo", "SubmitScriptTest.demoEndToEnd",
      "sql udf/examples.sql", "SqlCommandTest (every statement, on a small demo copy)",
      "evaluate --config spark-job/evaluate-per-class.properties", "JobDefinitionsTest");

  @TempDir
  Path tmp;

  @Test
  void everySubmitCommandOfTheReadmesRuns() throws Exception {
    Path data = JobTesting.smallDemo(tmp);
    List<String> ran = new ArrayList<>();
    for (String file : List.of("README.md", "udf/README.md")) {
      for (String command : submitCommands(Files.readString(Path.of(file)))) {
        List<String> words = shellWords(command);
        assertEquals("./submit.sh", words.get(0), command);
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        if (RUN_ELSEWHERE.containsKey(String.join(" ", args))) {
          continue;
        }
        for (int i = 0; i < args.size(); i++) {
          String a = args.get(i);
          args.set(i, a.equals("target/demo/data") ? data.toString()
              : a.startsWith("target/") ? tmp.resolve(a).toString() : a);
        }
        JobTesting.Run r = JobTesting.run(args.toArray(new String[0]));
        // 3: a monitor alert fired, which the README's thresholds may do on the small copy
        assertTrue(r.code() == 0 || (args.get(0).equals("monitor") && r.code() == 3),
            file + ": " + command + "\nexit " + r.code() + "\n" + r.err() + r.out());
        ran.add(args.get(0));
      }
    }
    assertTrue(ran.contains("evaluate") && ran.contains("monitor"), ran.toString());
  }

  /** The {@code ./submit.sh} lines of ```bash blocks, backslash continuations joined. */
  static List<String> submitCommands(String markdown) {
    List<String> out = new ArrayList<>();
    boolean bash = false;
    StringBuilder current = null;
    for (String line : markdown.split("\n", -1)) {
      if (line.startsWith("```")) {
        bash = line.equals("```bash");
        continue;
      }
      if (!bash) {
        continue;
      }
      String text = line.strip();
      if (current == null && !text.startsWith("./submit.sh ")) {
        continue;
      }
      int comment = text.indexOf("  #");
      if (comment >= 0) {
        text = text.substring(0, comment).strip();
      }
      current = current == null ? new StringBuilder(text) : current.append(' ').append(text);
      if (current.toString().endsWith("\\")) {
        current.setLength(current.length() - 1);
      } else {
        out.add(current.toString().strip());
        current = null;
      }
    }
    return out;
  }

  /** The words bash makes of a command line (its quoting, not ours). */
  private static List<String> shellWords(String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", "printf '%s\\0' " + command)
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    List<String> words = new ArrayList<>(Arrays.asList(out.split("\0", -1)));
    words.remove(words.size() - 1);
    return words;
  }
}
