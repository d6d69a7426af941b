package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
        .assertErr("pos_weight size (3) must match the number of classes (4)");
  }

  @Test
  void unknownReductionListsTheValidOnes() {
    evaluate("--input", input, "--reduction", "avg").assertCode(2)
        .assertErr("unknown reduction 'avg'; valid reductions are 'none', 'mean', 'sum', "
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
            "cannot read the file"),
        List.of("--input", input, "--where", "day = ", "--where \"day = \": [PARSE_SYNTAX_ERROR]"),
        List.of("--input", input, "--where", "nope > 1", "--where \"nope > 1\": [UNRESOLVED_COLUMN"),
        List.of("--input", input, "--logits", "day", "--logits column 'day' has type STRING"),
        List.of("--input", input, "--labels", "w",
            "--logits 'logits' (ARRAY<DOUBLE>) and --labels 'w' (DOUBLE) must have the same shape"),
        List.of("--input", input, "--labels", "logits", "must name different columns"),
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
  void missingInputIsAFailure() {
    evaluate("--input", tmp.resolve("nothing-here").toString(), "--output", out).assertCode(1)
        .assertErr("cannot read --input " + tmp.resolve("nothing-here") + " as parquet");
    evaluate("--input", "no_such_table", "--output", out).assertCode(1)
        .assertErr("cannot read --input no_such_table as parquet (and there is no table of that "
            + "name)");
  }
}
