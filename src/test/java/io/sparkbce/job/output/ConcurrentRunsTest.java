package io.sparkbce.job.output;

import static io.sparkbce.job.JobTesting.run;
import static io.sparkbce.job.JobTesting.spark;
import static io.sparkbce.job.JobTesting.summary;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.job.JobTesting;
import io.sparkbce.job.JobTesting.Run;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two evaluate runs writing the same {@code --output} at once: the per-row losses and the summary
 * left behind come from one run, never one from each (found by reasoning over the commit
 * sequence while running two jobs at once by hand; the window is two renames wide).
 */
class ConcurrentRunsTest {
  @TempDir
  Path tmp;

  @AfterEach
  void noHooks() {
    AtomicOutput.beforeCommit = null;
    AtomicOutput.afterEachCommit = null;
  }

  @Test
  @Timeout(300)
  void aSecondRunCannotCommitBetweenTheFirstRunsLossesAndSummary() throws Exception {
    String input = JobTesting.writeParquet(JobTesting.samples(40, 3, 5), tmp.resolve("in"))
        .toString();
    String out = tmp.resolve("out").toString();
    CountDownLatch firstBetweenCommits = new CountDownLatch(1);
    CountDownLatch secondReadyToCommit = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    Thread[] first = new Thread[1];
    Thread[] second = new Thread[1];
    AtomicOutput.afterEachCommit = target -> {
      if (Thread.currentThread() == first[0] && target.endsWith("/losses")) {
        firstBetweenCommits.countDown();
        await(releaseFirst);
      }
    };
    AtomicOutput.beforeCommit = tmpPath -> {
      if (Thread.currentThread() == second[0] && tmpPath.contains(".summary.json.tmp-")) {
        secondReadyToCommit.countDown();
      }
    };

    CompletableFuture<Run> a = CompletableFuture.supplyAsync(() -> {
      first[0] = Thread.currentThread();
      return evaluate(input, out, "a");
    });
    assertTrue(firstBetweenCommits.await(120, TimeUnit.SECONDS), "first run reached its commit");
    CompletableFuture<Run> b = CompletableFuture.supplyAsync(() -> {
      second[0] = Thread.currentThread();
      return evaluate(input, out, "b");
    });
    assertTrue(secondReadyToCommit.await(120, TimeUnit.SECONDS), "second run staged its outputs");
    Thread.sleep(2000); // time enough for the second run to commit, were it allowed to
    releaseFirst.countDown();
    a.get(120, TimeUnit.SECONDS).assertCode(0);
    b.get(120, TimeUnit.SECONDS).assertCode(0);

    JsonNode s = summary(Path.of(out));
    List<Row> models = spark().read().parquet(out + "/losses").select("model").distinct()
        .collectAsList();
    assertEquals(1, models.size(), "losses of one run: " + models);
    String model = models.get(0).getString(0);
    assertEquals("model = '" + model + "'", s.path("input").path("where").asText(),
        "summary.json and losses/ come from the same run");
    assertEquals(spark().read().parquet(out + "/losses").count(), s.get("rows_used").asLong());
    // and the manifest lists both as they are: a third run may replace them
    run("evaluate", "--input", input, "--reduction", "none", "--output", out).assertCode(0);
  }

  private static Run evaluate(String input, String out, String model) {
    return run("evaluate", "--input", input, "--reduction", "none", "--where",
        "model = '" + model + "'", "--output", out);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
