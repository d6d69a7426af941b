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
            "Exit codes: 0 success, 1 failure, 2 usage error.");
    run("demo", "--help").assertCode(0).assertOut("usage: submit.sh demo");
    run("sql", "--help").assertCode(0).assertOut("usage: submit.sh sql");
  }

  @Test
  void commandUsageErrors() {
    run("demo", "--rows", "many").assertCode(2).assertErr("--rows needs a whole number");
    run("demo", "--rows", "0").assertCode(2).assertErr("at least 1");
    run("sql").assertCode(2).assertErr("sql needs a file");
    run("sql", "no/such/file.sql").assertCode(2).assertErr("no such file: no/such/file.sql");
  }

  @Test
  void benchIsDispatchedToTheBenchmark() {
    // a bad number fails before the benchmark generates anything
    JobTesting.Run r = run("bench", "--rows", "many");
    assertTrue(r.code() == 1 || r.code() == 2, r.err());
    r.assertErr("bench");
  }
}
