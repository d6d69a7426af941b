package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The commands the demo prints paste into bash as the very words the demo ran. */
class ShellCommandTest {
  @Test
  void quotesOnlyWhatNeedsIt() {
    assertEquals("./submit.sh monitor --window \"1 day\" --input target/demo/data",
        ShellCommand.submit("monitor", "--window", "1 day", "--input", "target/demo/data"));
    assertEquals("'it'\\''s $HOME'", ShellCommand.quote("it's $HOME"));
    assertEquals("\"\"", ShellCommand.quote(""));
  }

  @Test
  void bashSplitsThePrintedCommandBackIntoTheSameWords() throws Exception {
    List<String> words = List.of("./submit.sh", "monitor", "--window", "1 day", "--where",
        "a = 'x' AND b <> \"y\"", "$HOME", "`id`", "back\\slash", "tab\there", "!bang", "",
        "é ü", "semi;colon", "glob*", "~", "a=b c");
    String line = ShellCommand.join(words);
    Process p = new ProcessBuilder("bash", "-c", "for w in " + line + "; do printf '%s\\0' \"$w\"; done")
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    List<String> split = new ArrayList<>(List.of(out.split("\0", -1)));
    split.remove(split.size() - 1);
    assertEquals(words, split, line);
  }
}
