package io.sparkbce.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.testing.Reference;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "use it as a dependency" path: {@code mvn install -DskipTests} (on a copy of the
 * project, so that this build's target/ is left alone), then a separate project
 * (src/test/resources/consumer) that depends on {@code io.sparkbce:spark-bce} with Spark
 * {@code provided} compiles against the installed artifact and runs with Spark's jars added, as
 * spark-submit would.
 */
class ConsumerProjectTest {
  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void aMavenProjectBuildsAndRunsAgainstTheInstalledArtifact() throws Exception {
    Path lib = tmp.resolve("spark-bce");
    copy(Paths.get("pom.xml"), lib.resolve("pom.xml"));
    copyTree(Paths.get("src", "main"), lib.resolve("src").resolve("main"));
    String version = version(Files.readString(Paths.get("pom.xml")));
    assertTrue(Files.readString(Paths.get("src/test/resources/consumer/pom.xml"))
        .contains("<version>" + version + "</version>"), "the consumer asks for " + version);
    assertTrue(Files.readString(Paths.get("README.md")).contains("<version>" + version
        + "</version>"), "README's coordinates name " + version);
    run(lib, List.of("mvn", "-B", "-ntp", "-q", "install", "-DskipTests"));

    Path consumer = tmp.resolve("consumer");
    copyTree(Paths.get("src", "test", "resources", "consumer"), consumer);
    run(consumer, List.of("mvn", "-B", "-ntp", "-q", "compile"));

    Path repo = Paths.get(System.getProperty("user.home"), ".m2", "repository");
    String localRepo = System.getProperty("maven.repo.local");
    if (localRepo != null) {
      repo = Paths.get(localRepo);
    }
    Path jar = repo.resolve("io/sparkbce/spark-bce/" + version + "/spark-bce-" + version + ".jar");
    assertTrue(Files.isRegularFile(jar), "installed: " + jar);
    // Spark itself, as spark-submit provides it: this JVM's classpath without the project
    String spark = Arrays.stream(System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")).split(File.pathSeparator))
        .filter(e -> !e.contains("target" + File.separator + "classes")
            && !e.contains("target" + File.separator + "test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> java = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("-Djdk.reflect") || a.startsWith("-Dio.netty")) {
        java.add(a);
      }
    }
    java.addAll(List.of("-cp", consumer.resolve("target/classes") + File.pathSeparator + jar
        + File.pathSeparator + spark, "example.Consumer"));
    String out = run(consumer, java);
    Matcher m = Pattern.compile("sum=(\\S+) mean=(\\S+)").matcher(out);
    assertTrue(m.find(), out);
    double sum = Reference.withLogits(1.5, 1, 1, 1) + Reference.withLogits(-2, 0, 1, 1);
    double mean = (Reference.withLogits(1.5, 1, 1, 3) + Reference.withLogits(-2, 0, 1, 1)) / 2;
    assertTrue(Reference.near(sum, Double.parseDouble(m.group(1))), out);
    assertTrue(Reference.near(mean, Double.parseDouble(m.group(2))), out);
  }

  private static String version(String pom) {
    Matcher m = Pattern.compile("<artifactId>spark-bce</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(pom);
    assertTrue(m.find(), "the project's version in pom.xml");
    return m.group(1);
  }

  private static String run(Path dir, List<String> command) throws Exception {
    Path log = Files.createTempFile(dir.getParent(), "run", ".log");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.isAlive() ? -1 : p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static void copy(Path from, Path to) throws Exception {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        copy(f, to.resolve(from.relativize(f).toString()));
      }
    }
  }
}
