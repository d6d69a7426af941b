package io.sparkbce.job;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The dispatcher: commands, help and exit codes. */
class MainTest {
  @Test
  void noCommandIsAUsageError() {
    JobTesting.Run r = run().assertCode(2).assertErr("usage: submit.sh COMMAND");
    assertEquals("", r.out());
  }

  @Test
  void unknownCommandIsAUsageError() {
    run("frobnicate").assertCode(2)
        .assertErr("unknown command 'frobnicate'; commands are demo, evaluate, sql, bench");
  }

  @Test
  void helpGoesToStdoutWithExitCodeZero() {
    run("--help").assertCode(0).assertOut("commands:", "evaluate", "bench");
    run("evaluate", "--help").assertCode(0)
        .assertOut("--pos-weight auto|@FILE|1.0,3.0,...", "--invalid report|fail",
            Main.EXIT_CODES);
    run("demo", "--help").assertCode(0).assertOut("usage: submit.sh demo", Main.EXIT_CODES);
    run("sql", "--help").assertCode(0).assertOut("usage: submit.sh sql", Main.EXIT_CODES);
    run("monitor", "--help").assertCode(0).assertOut("usage: submit.sh monitor",
        Main.EXIT_CODES + " 3: an alert fired.");
  }

  @Test
  void benchHelpPrintsUsageAndRunsNothing() {
    JobTesting.Run r = run("bench", "--help").assertCode(0)
        .assertOut("usage: submit.sh bench", "--only", "deleted at the end", Main.EXIT_CODES);
    assertEquals("", r.err());
    assertTrue(!r.out().contains("spark-bce benchmark"), r.out());
  }

  @Test
  void unknownOptionsAreUsageErrorsOnEveryCommand() {
    for (String command : new String[] {"demo", "evaluate", "monitor", "sql", "bench"}) {
      run(command, "--no-such-option", "1").assertCode(2)
          .assertErr("unknown option", "no-such-option", "submit.sh " + command + " --help");
    }
  }

  @Test
  void commandUsageErrors() {
    run("demo", "--rows", "many").assertCode(2).assertErr("--rows needs a whole number");
    run("demo", "--rows", "0").assertCode(2).assertErr("--rows must be at least 1, got '0'");
    // found by hand: the message did not say which of the three was wrong
    run("demo", "--classes", "0").assertCode(2).assertErr("--classes must be at least 1, got '0'");
    run("demo", "--days", "-2").assertCode(2).assertErr("--days must be at least 1, got '-2'");
    // found by hand: a negative --max-rows ran, showing no rows ("only showing top 0 rows")
    run("sql", "--max-rows", "-1", "--execute", "SELECT 1").assertCode(2)
        .assertErr("--max-rows must be at least 0, got '-1'");
    run("sql", "--truncate", "-3", "--execute", "SELECT 1").assertCode(2)
        .assertErr("--truncate must be at least 0, got '-3'");
    run("sql").assertCode(2).assertErr("sql needs a file");
  }

  @Test
  void missingInputsAreFailuresLikeAMissingEvaluateInput() {
    run("sql", "no/such/file.sql").assertCode(1).assertErr("no such file: no/such/file.sql");
    run("evaluate", "--input", "no/such/dir").assertCode(1).assertErr("no/such/dir");
  }

  @Test
  void benchOptionsAreCheckedBeforeTheBenchmarkGeneratesAnything() {
    run("bench", "--rows", "many").assertCode(2).assertErr("bench: --rows needs a whole number");
    run("bench", "--rows", "0").assertCode(2).assertErr("--rows must be at least 1");
    run("bench", "--warmup", "-1").assertCode(2).assertErr("--warmup must be at least 0");
    run("bench", "--warmup", "x").assertCode(2).assertErr("--warmup needs a whole number");
    run("bench", "--only", "scalar,nope").assertCode(2).assertErr("unknown section 'nope'");
    run("bench", "--rows").assertCode(2).assertErr("--rows needs a value");
    run("bench", "--timestamps", "int64").assertCode(2)
        .assertErr("--timestamps: 'int64' is neither int96 nor micros");
  }
}
