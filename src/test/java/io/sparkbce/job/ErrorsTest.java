package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.job.JobTesting.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad options and data: the message names what is wrong; exit code 2 for usage, 1 for failures. */
class ErrorsTest {
  @TempDir
  static Path tmp;
  static String input;
  static String out;

  @BeforeAll
  static void data() {
    input = JobTesting.writeParquet(JobTesting.samples(30, 4, 3), tmp.resolve("in")).toString();
    out = tmp.resolve("out").toString();
  }

  private static Run evaluate(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "evaluate";
    System.arraycopy(args, 0, all, 1, args.length);
    return run(all);
  }

  @Test
  void unknownColumnNamesTheAvailableOnes() {
    evaluate("--input", input, "--logits", "logit", "--output", out).assertCode(2)
        .assertErr("unknown column 'logit' (--logits); available columns: id, logits, labels, w, "
            + "day, model");
    evaluate("--input", input, "--group-by", "model,version", "--output", out).assertCode(2)
        .assertErr("unknown column 'version' (--group-by); available columns:");
    evaluate("--input", input, "--weight", "weight", "--output", out).assertCode(2)
        .assertErr("unknown column 'weight' (--weight)");
    assertFalse(Files.exists(Path.of(out, "summary.json")));
  }

  @Test
  void wrongPosWeightLengthNamesBothSizes() {
    evaluate("--input", input, "--pos-weight", "1,2,3", "--output", out).assertCode(2)
        .assertErr("--pos-weight: pos_weight size (3) must match the number of classes (4)");
  }

  @Test
  void groupByAnArrayColumnIsRefusedNamingItsType() {
    // found by hand: the table showed the group as Scala's "ArraySeq(1.0, 2.0)"
    String tagged = tmp.resolve("tagged").toString();
    JobTesting.spark().read().parquet(input).selectExpr("*", "array(model, day) AS tags")
        .write().parquet(tagged);
    evaluate("--input", tagged, "--group-by", "tags", "--output", out).assertCode(2)
        .assertErr("--group-by column 'tags' has type ARRAY<STRING>; group by columns of single "
            + "values");
    assertFalse(Files.exists(Path.of(out, "summary.json")));
  }

  @Test
  void unknownReductionListsTheValidOnes() {
    evaluate("--input", input, "--reduction", "avg").assertCode(2)
        .assertErr("--reduction: unknown reduction 'avg'; valid reductions are 'none', 'mean', "
            + "'sum', "
            + "'weighted_mean'");
  }

  @Test
  void usageErrors() throws Exception {
    Path config = tmp.resolve("bad.properties");
    Files.writeString(config, "input=" + input + "\nlogit=logits\n");
    List<List<String>> cases = List.of(
        List.of("--logits", "logits", "needs --input"),
        List.of("--input", input, "--frobnicate", "1", "unknown option --frobnicate"),
        List.of("--input", input, "--format", "xml", "unknown --format 'xml'"),
        List.of("--input", input, "--invalid", "ignore", "unknown --invalid 'ignore'"),
        List.of("--input", input, "--reduction", "none", "--per-class",
            "--per-class needs a reduction"),
        List.of("--input", input, "--pos-weight", "1,x", "'x' is not a number"),
        List.of("--input", input, "--pos-weight", "@" + tmp.resolve("missing.txt"),
            "cannot read the file: File " + tmp.resolve("missing.txt") + " does not exist"),
        List.of("--input", input, "--where", "day = ", "--where \"day = \": [PARSE_SYNTAX_ERROR]"),
        List.of("--input", input, "--where", "nope > 1", "--where \"nope > 1\": [UNRESOLVED_COLUMN"),
        List.of("--input", input, "--logits", "day", "--logits column 'day' has type STRING"),
        List.of("--input", input, "--labels", "w",
            "--logits 'logits' (ARRAY<DOUBLE>) and --labels 'w' (DOUBLE) must have the same shape"),
        List.of("--input", input, "--labels", "logits", "must name different columns"),
        List.of("--input", input, "--group-by", "model,logits",
            "--group-by 'logits' is the --logits column"),
        List.of("--input", input, "--weight", "w", "--group-by", "W",
            "--group-by 'w' is the --weight column"),
        List.of("--config", config.toString(), "unknown key 'logit' in " + config
            + "; valid keys are base-path, format, group-by, input, invalid, labels, logits, "
            + "output, per-class, pos-weight, reduction, weight, where"),
        List.of("--config", tmp.resolve("none.properties").toString(), "no such file"),
        List.of("--input", input, "stray", "no positional arguments"),
        List.of("--input", input, "--per-class=maybe", "true or false"),
        List.of("--input", "--logits", "--input needs a value"));
    for (List<String> c : cases) {
      List<String> args = c.subList(0, c.size() - 1);
      evaluate(args.toArray(new String[0])).assertCode(2).assertErr(c.get(c.size() - 1),
          "(submit.sh evaluate --help for usage)");
    }
  }

  @Test
  void posWeightThatIsBlankOverflowsOrIsNegativeIsAnErrorNamingTheValue() throws Exception {
    evaluate("--input", input, "--pos-weight", " ").assertCode(2)
        .assertErr("option --pos-weight is blank");
    Path config = tmp.resolve("blank.properties");
    Files.writeString(config, "input=" + input + "\npos-weight=\n");
    evaluate("--config", config.toString()).assertCode(2)
        .assertErr("key 'pos-weight' in " + config + " is blank");
    for (String[] c : new String[][] {{"1e400", "is not a finite number"},
        {"1,Infinity", "'Infinity' is not a finite number"}, {"-1e400", "is not a finite number"},
        {"1,-0.5,2", "'-0.5' is negative"}, {"NaN", "'NaN' is not a number"}}) {
      evaluate("--input", input, "--pos-weight", c[0], "--output", out).assertCode(2)
          .assertErr("--pos-weight: ", c[1], "pos_weight values are finite and >= 0");
    }
    Path file = tmp.resolve("pw.txt");
    Files.writeString(file, "1\n2\n1e999\n");
    evaluate("--input", input, "--pos-weight", "@" + file).assertCode(2)
        .assertErr("--pos-weight @" + file + ": '1e999' is not a finite number");
    // 0 is allowed: the positives of that class count for nothing
    assertEquals(0.0, EvaluateOptions.PosWeight.parse("0, 1", null).values[0]);
    // the same checks in monitor, and a blank value of any option
    run("monitor", "--input", input, "--time-col", "day", "--pos-weight", "1e400").assertCode(2)
        .assertErr("'1e400' is not a finite number");
    run("monitor", "--input", input, "--time-col", "day", "--where", "").assertCode(2)
        .assertErr("option --where is blank");
  }

  @Test
  void aBadWhereNamesTheOptionAndTheTextWithoutSparksPlan() {
    for (List<String> command : List.of(List.of("evaluate"), List.of("monitor", "--time-col",
        "day"))) {
      List<String> args = new java.util.ArrayList<>(command);
      args.addAll(List.of("--input", input, "--where", "nope > 1", "--output", out));
      Run r = run(args.toArray(new String[0])).assertCode(2)
          .assertErr("error: --where \"nope > 1\": [UNRESOLVED_COLUMN.WITH_SUGGESTION]", "`nope`");
      for (String internal : List.of("Filter", "Relation", "+- ", "_bce", "CASE WHEN")) {
        assertFalse(r.err().contains(internal), command + ": '" + internal + "' in " + r.err());
      }
    }
  }

  @Test
  void raggedClassesNameTheOptionTheColumnAndBothSizes() {
    Path ragged = tmp.resolve("ragged");
    JobTesting.spark().sql("SELECT id, IF(id < 5, array(0.5D, -1D, 2D), array(0.5D, -1D, 2D, 1D))"
        + " AS logits, IF(id < 5, array(1D, 0D, 1D), array(1D, 0D, 1D, 0D)) AS labels"
        + " FROM range(0, 10, 1, 1)").write().parquet(ragged.toString());
    Run r = evaluate("--input", ragged.toString(), "--per-class", "--output", out).assertCode(1)
        .assertErr("--per-class: rows of --logits 'logits' have different numbers of classes (",
            "needs the same number of classes on every row");
    assertTrue(r.err().matches("(?s).*\\((3 on earlier rows, 4|4 on earlier rows, 3) on a later one\\).*"),
        r.err());
    r = evaluate("--input", ragged.toString(), "--pos-weight", "auto", "--output", out)
        .assertCode(1).assertErr("--pos-weight auto: rows of --labels 'labels' have different "
            + "numbers of classes");
    r = evaluate("--input", ragged.toString(), "--pos-weight", "1,2,3", "--output", out)
        .assertCode(2).assertErr("3", "4", "--logits 'logits'");
    for (String internal : List.of("_bce_invalid", "CASE WHEN", "bce_with_logits_loss(")) {
      assertFalse(r.err().contains(internal), r.err());
    }
  }

  @Test
  void missingInputIsAFailure() throws Exception {
    Run r;
    evaluate("--input", tmp.resolve("nothing-here").toString(), "--output", out).assertCode(1)
        .assertErr("cannot read --input " + tmp.resolve("nothing-here") + " as parquet");
    // a directory without data files (e.g. a job that wrote nothing yet): not Spark's "the
    // schema must be specified manually", which no option of the jobs does
    Path empty = tmp.resolve("empty-dir");
    Files.createDirectories(empty.resolve("_temporary"));
    Files.writeString(empty.resolve("_SUCCESS"), "");
    r = evaluate("--input", empty.toString(), "--output", out).assertCode(1)
        .assertErr("cannot read --input " + empty + " as parquet: it holds no parquet data file");
    assertFalse(r.err().contains("specified manually"), r.err());
    evaluate("--input", "no_such_table", "--output", out).assertCode(1)
        .assertErr("cannot read --input no_such_table as parquet (and there is no table of that "
            + "name)");
  }
}
