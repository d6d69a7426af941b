package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.ReadmeBlocks.Block;
import io.sparkbce.job.ReadmeBlocks.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fenced block of README.md and udf/README.md is run, in document order, so that an example
 * that stops working fails the build, and the output shown under a block is what it printed.
 *
 * <ul>
 *   <li>{@code sql}: each statement in the shared test session (extension on), results printed as
 *       {@code ./submit.sh sql} prints them (Spark's {@code show} table, cells not cut);
 *   <li>{@code java}: compiled and run in this JVM with {@code spark} in scope ({@link
 *       JavaSnippet});
 *   <li>{@code bash}: each {@code ./submit.sh} command run in-process with the words bash makes of
 *       it (outputs under target/ moved to a temp dir); a command run by another test is listed in
 *       {@link #RUN_ELSEWHERE} with that test;
 *   <li>{@code xml}: the consumer project's pom (built by ConsumerProjectTest) contains it.
 * </ul>
 *
 * <p>{@code target/demo/data} is a copy of the demo data set ({@code ./submit.sh demo}: the same
 * 280,000 rows, which do not depend on partitioning), so the values shown are a user's.
 * Blocks marked {@code not run} are counted and listed with their reason.
 */
class ReadmeBlocksTest {
  static final List<String> READMES = List.of("README.md", "udf/README.md");
  static final String DEMO = "target/demo/data";

  /** Commands run by another test, which would be slow or clobber the user's target/ here. */
  private static final Map<String, String> RUN_ELSEWHERE = Map.of(
      "./submit.sh demo", "SubmitScriptTest.demoEndToEnd",
      "mvn -B -ntp test", "the test suite itself (.ci/run)",
      "./submit.sh sql udf/examples.sql", "SqlCommandTest (every statement, on a small demo copy)",
      "./submit.sh evaluate --config spark-job/evaluate-per-class.properties",
      "JobDefinitionsTest");

  /** The blocks that cannot run here: pinned, so that a new one is a visible decision. */
  private static final int NOT_RUN = 3;

  @TempDir
  static Path tmp;
  static Path demo;

  @BeforeAll
  static void demoData() {
    demo = tmp.resolve("demo-data");
    DemoData.write(JobTesting.spark(), demo.toString(), Demo.ROWS, 16, 7);
  }

  @Test
  void everyBlockOfTheReadmesRunsAndPrintsWhatItShows() throws Exception {
    Map<String, Integer> ran = new TreeMap<>();
    List<String> notRun = new ArrayList<>();
    Set<String> elsewhere = new HashSet<>();
    List<String> wrong = new ArrayList<>();
    for (String file : READMES) {
      List<Block> blocks = ReadmeBlocks.parse(file, Files.readString(Path.of(file)));
      String printed = null;
      Block last = null;
      for (Block b : blocks) {
        switch (b.kind()) {
          case NOT_RUN -> notRun.add(b.where() + ": " + b.reason());
          case OUTPUT -> {
            assertTrue(printed != null, b.where() + ": an output block under no run block");
            if (!b.text().strip().equals(lines(printed))) {
              wrong.add(b.where() + ": not what " + last.where() + " prints. Shown:\n"
                  + b.text().strip() + "\nprinted:\n" + lines(printed));
            }
            printed = null;
          }
          case RUN -> {
            printed = run(b, elsewhere);
            last = b;
            ran.merge(b.language(), 1, Integer::sum);
          }
        }
      }
    }
    System.out.println("README blocks run: " + ran + "; not run (" + notRun.size() + "):\n  "
        + String.join("\n  ", notRun));
    assertTrue(wrong.isEmpty(), String.join("\n\n", wrong));
    assertEquals(RUN_ELSEWHERE.keySet(), elsewhere, "every command run elsewhere is in a README");
    assertEquals(NOT_RUN, notRun.size(), "blocks not run:\n" + String.join("\n", notRun));
    for (String language : List.of("bash", "sql", "java", "xml")) {
      assertTrue(ran.containsKey(language), "a " + language + " block runs: " + ran);
    }
  }

  /** Runs a block; returns what it printed. */
  private static String run(Block b, Set<String> elsewhere) throws Exception {
    String text = b.text().replace(DEMO, demo.toString());
    switch (b.language()) {
      case "sql":
        return sql(text);
      case "java":
        return JavaSnippet.run(text, "ReadmeBlock" + b.line(),
            Files.createDirectories(tmp.resolve("java-" + b.line())), JobTesting.spark());
      case "bash":
        return bash(b, elsewhere);
      case "xml":
        String pom = Files.readString(Path.of("src/test/resources/consumer/pom.xml"));
        assertTrue(words(pom).contains(words(b.text())),
            b.where() + ": the consumer project (ConsumerProjectTest) does not declare\n" + b.text());
        return "";
      default:
        throw new AssertionError(b.where() + ": no way to run a " + b.language() + " block");
    }
  }

  /** Each statement; each result as {@code ./submit.sh sql} shows it. */
  static String sql(String text) {
    StringBuilder out = new StringBuilder();
    for (SqlScript.Statement s : SqlScript.split(text)) {
      Dataset<Row> r = JobTesting.spark().sql(s.sql());
      if (!r.schema().isEmpty()) {
        out.append(((org.apache.spark.sql.classic.Dataset<Row>) r).showString(20, 0, false));
      }
    }
    return out.toString();
  }

  private static String bash(Block b, Set<String> elsewhere) throws Exception {
    StringBuilder printed = new StringBuilder();
    for (String command : ReadmeBlocks.commands(b.text())) {
      if (RUN_ELSEWHERE.containsKey(command)) {
        elsewhere.add(command);
        continue;
      }
      List<String> words = shellWords(command);
      assertEquals("./submit.sh", words.get(0), b.where() + ": a command no test runs: " + command);
      List<String> args = new ArrayList<>(words.subList(1, words.size()));
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        args.set(i, a.equals(DEMO) ? demo.toString()
            : a.startsWith("target/") ? tmp.resolve(a).toString() : a);
      }
      JobTesting.Run r = JobTesting.run(args.toArray(new String[0]));
      // 3: a monitor alert fired, which the README's thresholds do on the demo data
      assertTrue(r.code() == 0 || (args.get(0).equals("monitor") && r.code() == 3),
          b.where() + ": " + command + "\nexit " + r.code() + "\n" + r.err() + r.out());
      // what the user sees: the demo data and outputs under target/ where the README has them
      printed.append(r.out().replace(demo.toString(), DEMO).replace(tmp + "/", ""));
    }
    return printed.toString();
  }

  @Test
  void aWrongValueUnderABlockFailsAndAnUnmarkedBlockIsAnError() {
    String doc = String.join("\n", "<!-- readme-test: run -->", "```sql",
        "SELECT bce(0.5D, 1D) AS loss;", "```", "<!-- readme-test: output -->", "```text",
        "+------------------+", "|loss              |", "+------------------+",
        "|0.6931471805599453|", "+------------------+", "```", "");
    List<Block> blocks = ReadmeBlocks.parse("doc.md", doc);
    assertEquals(List.of(Kind.RUN, Kind.OUTPUT), blocks.stream().map(Block::kind).toList());
    String printed = lines(sql(blocks.get(0).text()));
    assertEquals(blocks.get(1).text().strip(), printed);
    assertFalse(blocks.get(1).text().replace("0.6931471805599453", "0.6931471805599454").strip()
        .equals(printed), "a changed digit is a difference");
    AssertionError unmarked = assertThrows(AssertionError.class,
        () -> ReadmeBlocks.parse("doc.md", "text\n```bash\n./submit.sh demo\n```\n"));
    assertTrue(unmarked.getMessage().contains("doc.md:2: a block without a marker"),
        unmarked.getMessage());
    assertEquals(List.of("./submit.sh evaluate --input x --output y", "mvn -B -ntp test"),
        ReadmeBlocks.commands("# a comment\n./submit.sh evaluate --input x \\\n"
            + "    --output y   # trailing\nmvn -B -ntp test\n"));
  }

  /** Text lines without trailing blanks. */
  private static String lines(String text) {
    return Arrays.stream(text.strip().split("\n")).map(String::stripTrailing)
        .reduce((a, c) -> a + "\n" + c).orElse("");
  }

  private static String words(String text) {
    return String.join(" ", text.strip().split("\\s+"));
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
