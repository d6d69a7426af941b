package io.sparkbce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code spark.sql.extensions=io.sparkbce.BceSparkExtensions} in a fresh JVM whose session is built
 * only from configuration: all seven functions resolve unqualified, in new sessions too.
 */
class ExtensionRegistrationTest {

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void functionsComeFromConfigurationAlone() throws Exception {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx1g"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect")
          || arg.startsWith("-Dio.netty")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Dspark.master=local[1]", "-Dspark.ui.enabled=false",
        "-Dspark.driver.host=127.0.0.1",
        "-Dspark.sql.extensions=io.sparkbce.BceSparkExtensions",
        "-cp", classpath, ExtensionProbe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().filter(l -> l.startsWith("elementwise ")
        || l.startsWith("aggregates ")).toList();
    assertEquals(4, lines.size(), out);
    // SQL names and docs with the extension alone, in new sessions too
    List<String> functions = out.lines().filter(l -> l.startsWith("functions ")).toList();
    assertEquals(List.of("functions bce,bce_calibration,bce_loss,bce_normalized_entropy,"
        + "bce_pos_weight,bce_with_logits,"
        + "bce_with_logits_grad,bce_with_logits_loss,bce_with_logits_loss_per_class").toString(),
        List.of(functions.get(0)).toString(), out);
    assertEquals(functions.get(0), functions.get(1));
    for (String names : out.lines().filter(l -> l.startsWith("names ")).toList()) {
      assertEquals("names bce_with_logits(x, y);bce_with_logits_loss(x, y, NULL, 3.0)", names);
    }
    for (String d : out.lines().filter(l -> l.startsWith("describe ")).toList()) {
      for (String part : List.of("Usage: bce_with_logits_loss(input, target", "Arguments:",
          "Examples:", "> SELECT bce_with_logits_loss(x, y) FROM VALUES", "Since: 0.1.0")) {
        assertTrue(d.contains(part), "'" + part + "' in " + d);
      }
    }
    for (String line : lines) {
      String[] v = line.split(" ");
      if (v[0].equals("elementwise")) {
        assertTrue(Reference.near(Double.parseDouble(v[1]), Reference.withLogits(1.5, 1, 1, 1)));
        assertEquals(Math.log(2), Double.parseDouble(v[2]), 1e-15);
        assertEquals(-0.5, Double.parseDouble(v[3]), 1e-15);
      } else {
        double mean = (Reference.withLogits(1.5, 1, 1, 1) + 2 * Reference.withLogits(1.5, 0, 1, 1))
            / 3;
        assertTrue(Reference.near(Double.parseDouble(v[1]), mean), line);
        assertEquals(Math.log(2), Double.parseDouble(v[2]), 1e-15);
        assertTrue(Reference.near(Double.parseDouble(v[3]), mean), line);
        assertEquals(2.0, Double.parseDouble(v[4]));
      }
    }
    assertTrue(new File(classpath.split(File.pathSeparator)[0]).exists());
  }
}
