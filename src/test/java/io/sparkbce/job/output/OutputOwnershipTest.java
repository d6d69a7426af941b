package io.sparkbce.job.output;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output owns only what it wrote: no output, history or report in, at or around the input
 * (however the path is spelled), and nothing replaced that spark-bce did not write. Every refusal
 * comes before the computation and leaves every file as it was.
 */
class OutputOwnershipTest {
  @TempDir
  static Path tmp;
  static Path input;
  static Path inputFile;

  @BeforeAll
  static void data() throws Exception {
    input = JobTesting.writeParquet(JobTesting.samples(40, 3, 11), tmp.resolve("in"));
    try (var files = Files.walk(input)) {
      inputFile = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
          .orElseThrow();
    }
    Files.createSymbolicLink(tmp.resolve("link-to-in"), input);
  }

  private static JobTesting.Run evaluate(String in, String out, String... more) {
    List<String> args = new ArrayList<>(List.of("evaluate", "--input", in, "--output", out));
    args.addAll(List.of(more));
    return run(args.toArray(new String[0]));
  }

  @Test
  void anOutputAtInsideOrAroundTheInputIsRefusedHoweverItIsSpelled() {
    Map<String, Long> before = OutputTest.files(tmp);
    String in = input.toString();
    List<String> outputs = List.of(in, in + "/", "file:" + in, "file://" + in + "/",
        in + "/./day=d1/..", tmp + "/x/../in", in + "/losses", in + "/day=d1/model=a",
        tmp.toString(), tmp.resolve("link-to-in").toString(),
        tmp.resolve("link-to-in").resolve("out").toString(), inputFile.toString());
    for (String out : outputs) {
      evaluate(in, out).assertCode(2).assertErr("--output " + out, "the input --input " + in,
          "choose --output outside it");
      evaluate(in, out, "--reduction", "none").assertCode(2).assertErr("the input");
    }
    // the input named as a glob, a single file or through a link is the same input
    evaluate(in + "/day=d1/*", in + "/day=d1/model=a/x").assertCode(2).assertErr("is inside");
    evaluate(tmp.resolve("link-to-in").toString(), in + "/out").assertCode(2)
        .assertErr("is inside");
    evaluate(inputFile.toString(), inputFile.getParent().toString()).assertCode(2)
        .assertErr("contains the input");
    assertEquals(before, OutputTest.files(tmp), "a refused run changed files");
  }

  @Test
  void aCatalogTablesLocationIsInputToo() {
    Path location = tmp.resolve("table-data");
    JobTesting.writeParquet(JobTesting.samples(10, 3, 12), location);
    spark().sql("CREATE TABLE ownership_t USING parquet LOCATION '" + location + "'");
    try {
      evaluate("ownership_t", location.resolve("eval").toString()).assertCode(2)
          .assertErr("is inside the input --input ownership_t (" + location);
      evaluate("ownership_t", tmp.toString()).assertCode(2).assertErr("contains the input");
    } finally {
      spark().sql("DROP TABLE ownership_t");
    }
  }

  @Test
  void monitorWritesNoHistoryReportOrAlertsIntoItsInput() {
    Map<String, Long> before = OutputTest.files(tmp);
    String in = input.toString();
    String[][] cases = {
        {"--history", in}, {"--history", in + "/day=d1"}, {"--report", inputFile.toString()},
        {"--report", in + "/report.html"}, {"--history", tmp.toString()}};
    for (String[] c : cases) {
      run("monitor", "--input", in, "--time-col", "id", c[0], c[1]).assertCode(2)
          .assertErr(c[0] + " " + c[1], "the input --input " + in);
    }
    // outputs do not overlap each other either
    Path out = tmp.resolve("mon-overlap");
    run("monitor", "--input", in, "--time-col", "id", "--history", out + "/h", "--report",
        out + "/h/report.html").assertCode(2).assertErr("--report " + out + "/h/report.html "
            + "is inside --history " + out + "/h");
    assertEquals(before, OutputTest.files(tmp), "a refused run changed files");
  }

  @Test
  void evaluateReplacesOnlyWhatItWrote() throws Exception {
    // a directory of the user's: their summary.json and losses/ are not replaced
    Path out = tmp.resolve("users-dir");
    Files.createDirectories(out.resolve("losses"));
    Files.writeString(out.resolve("summary.json"), "{\"mine\": true}");
    Files.writeString(out.resolve("losses").resolve("important.csv"), "a,b\n1,2\n");
    Map<String, Long> users = OutputTest.files(out);
    evaluate(input.toString(), out.toString()).assertCode(1).assertErr(
        out.resolve("summary.json") + " (--output) exists, and spark-bce did not write it",
        "choose another --output, or move or remove " + out.resolve("summary.json"));
    Files.delete(out.resolve("summary.json"));
    evaluate(input.toString(), out.toString(), "--reduction", "none").assertCode(1)
        .assertErr(out.resolve("losses") + " (--output) exists, and spark-bce did not write it");
    assertEquals("a,b\n1,2\n", Files.readString(out.resolve("losses").resolve("important.csv")));
    assertFalse(Files.exists(out.resolve("summary.json")), "nothing written by a refused run");

    // its own outputs are replaced run after run; a file the user adds or changes stops that
    Path own = tmp.resolve("own");
    evaluate(input.toString(), own.toString(), "--reduction", "none").assertCode(0);
    evaluate(input.toString(), own.toString(), "--reduction", "none").assertCode(0);
    Files.writeString(own.resolve("losses").resolve("important.csv"), "keep me");
    evaluate(input.toString(), own.toString(), "--reduction", "none").assertCode(1)
        .assertErr(own.resolve("losses") + " (--output) holds important.csv, which spark-bce "
            + "did not write");
    assertEquals("keep me", Files.readString(own.resolve("losses").resolve("important.csv")));
    Files.writeString(own.resolve("summary.json"), "{\"edited\": 1}");
    evaluate(input.toString(), own.toString()).assertCode(1)
        .assertErr(own.resolve("summary.json") + " (--output) was changed since spark-bce wrote "
            + "it");
    assertEquals("{\"edited\": 1}", Files.readString(own.resolve("summary.json")));
    // an output of a release before the manifest counts as not owned
    Files.delete(own.resolve(OutputManifest.NAME));
    Files.delete(own.resolve("losses").resolve("important.csv"));
    evaluate(input.toString(), own.toString(), "--reduction", "none").assertCode(1)
        .assertErr("there is no " + OutputManifest.NAME + " beside it");
  }

  @Test
  void theUsersLossesNextToAnOutputNamedLikeTheInputAreNeverMoved() throws Exception {
    // input X/losses, output X: the output contains the input, refused; the rows stay
    Path x = tmp.resolve("x");
    JobTesting.writeParquet(JobTesting.samples(30, 3, 13), x.resolve("losses"));
    Map<String, Long> before = OutputTest.files(x);
    evaluate(x.resolve("losses").toString(), x.toString(), "--reduction", "none").assertCode(2)
        .assertErr("contains the input");
    assertEquals(before, OutputTest.files(x));
    assertEquals(30, spark().read().parquet(x.resolve("losses").toString()).count());
  }

  @Test
  void monitorReplacesNoReportHistoryOrAlertsOfSomeoneElse() throws Exception {
    Path out = tmp.resolve("mon-users");
    Files.createDirectories(out.resolve("history").resolve("notes"));
    Files.writeString(out.resolve("history").resolve("notes").resolve("a.txt"), "mine");
    Files.writeString(out.resolve("report.html"), "<p>my report</p>");
    Files.writeString(out.resolve("alerts.jsonl"), "{\"my\": 1}\n");
    Map<String, Long> before = OutputTest.files(out);
    String in = input.toString();
    run("monitor", "--input", in, "--time-col", "id", "--output", out.toString()).assertCode(1)
        .assertErr(out.resolve("history") + " (--history) exists, and spark-bce did not write it");
    Files.createDirectories(tmp.resolve("mon-users-2"));
    run("monitor", "--input", in, "--time-col", "id", "--history",
        tmp.resolve("mon-users-2").resolve("h").toString(), "--report",
        out.resolve("report.html").toString()).assertCode(1)
        .assertErr(out.resolve("report.html") + " (--report) exists, and spark-bce did not");
    run("monitor", "--input", in, "--time-col", "id", "--history",
        out.resolve("h").toString(), "--report", tmp.resolve("mon-users-2").resolve("r.html")
            .toString()).assertCode(1)
        .assertErr(out.resolve("alerts.jsonl") + " (the alerts beside --history) exists",
            "choose another --history");
    assertEquals(before, OutputTest.files(out), "a refused run changed files");
  }

  @Test
  void aCommitNeverMovesAsideWhatItDoesNotOwn() throws Exception {
    // the check again at the moment of the rename: a directory that appeared after the checks
    Configuration conf = new Configuration();
    Path target = tmp.resolve("late").resolve("losses");
    RuntimeException e = assertThrows(RuntimeException.class, () -> AtomicOutput.replaceDirectory(
        conf, target.toString(), t -> {
          try {
            Files.createDirectories(target);
            Files.writeString(target.resolve("important.csv"), "late");
            Path staged = AtomicOutput.localPath(new org.apache.hadoop.fs.Path(t));
            Files.createDirectories(staged);
            Files.writeString(staged.resolve("new.txt"), "new");
          } catch (java.io.IOException io) {
            throw new java.io.UncheckedIOException(io);
          }
        }));
    assertTrue(e.getMessage().contains("did not write it"), e.getMessage());
    assertEquals("late", Files.readString(target.resolve("important.csv")));
    try (var s = Files.list(target.getParent())) {
      // the commit lock's empty file stays (see CommitLock), the rest is as it was
      assertEquals(List.of(CommitLock.NAME, "losses"),
          s.map(p -> p.getFileName().toString()).sorted().toList(),
          "temp content removed, nothing moved aside");
    }
  }
}
