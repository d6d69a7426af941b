package io.sparkbce.monitor.history;

import static io.sparkbce.job.JobTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sparkbce.monitor.MonitorTesting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In the default test JVM, whose session was created without Delta's extension and catalog, a
 * Delta history is refused before anything is written, saying which settings the session lacks.
 * (spark-bce's own jobs set them when they start Spark for a Delta history.)
 */
class DeltaSessionTest {
  @TempDir
  Path tmp;

  @Test
  void aSessionWithoutDeltasExtensionIsRefusedNamingTheSettings() {
    Path input = tmp.resolve("in");
    MonitorTesting.write(MonitorTesting.events(1, 4, 2, 3, 0, d -> 0), input, false);
    Path history = tmp.resolve("out").resolve("history");
    run("monitor", "--input", input.toString(), "--time-col", "ts", "--history",
        history.toString(), "--history-format", "delta", "--output", tmp.resolve("out").toString())
        .assertCode(2).assertErr("--history-format delta needs a Spark session created with "
            + "Delta's extension and catalog", "spark.sql.extensions="
            + "io.sparkbce.BceSparkExtensions,io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog");
    assertFalse(Files.exists(history.resolve("_delta_log")));
  }

  @Test
  void deltasExtensionIsAddedOnceAfterTheConfiguredOnes() {
    assertEquals("io.delta.sql.DeltaSparkSessionExtension", DeltaSupport.withDelta(null));
    assertEquals("a.B,io.delta.sql.DeltaSparkSessionExtension", DeltaSupport.withDelta("a.B"));
    assertEquals("a.B, io.delta.sql.DeltaSparkSessionExtension",
        DeltaSupport.withDelta("a.B, io.delta.sql.DeltaSparkSessionExtension"));
  }
}
