package io.sparkbce.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit.sh itself. The script runs on the classes and dependency classpath of this test JVM
 * (SPARK_BCE_JAR / SPARK_BCE_CLASSPATH) so that no Maven build runs inside the test suite. Only
 * {@link #demoEndToEnd} starts a JVM; the other cases stop in the shell.
 */
class SubmitScriptTest {
  @TempDir
  Path tmp;

  record Result(int code, String out, String err) {}

  private Result submit(Map<String, String> env, long timeoutSeconds, String... args)
      throws Exception {
    return submitIn(Path.of(""), env, timeoutSeconds, args);
  }

  private Result submitIn(Path project, Map<String, String> env, long timeoutSeconds,
      String... args) throws Exception {
    Process p = start(project, env, args);
    return finish(p, timeoutSeconds, args);
  }

  /** Each started launcher's stdout and stderr files (two may run at once). */
  private final Map<Process, Path[]> outputs = new java.util.concurrent.ConcurrentHashMap<>();

  private Process start(Path project, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", project.resolve("submit.sh").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("SPARK_HOME");
    pb.environment().put("SPARK_BCE_JAR", Path.of("target", "classes").toAbsolutePath().toString());
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    pb.environment().put("SPARK_BCE_CLASSPATH", classpath);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().putAll(env);
    String id = java.util.UUID.randomUUID().toString();
    Path stdout = tmp.resolve("stdout-" + id);
    Path stderr = tmp.resolve("stderr-" + id);
    Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    outputs.put(p, new Path[] {stdout, stderr});
    return p;
  }

  private Result finish(Process p, long timeoutSeconds, String... args) throws Exception {
    Path out = outputs.get(p)[0];
    Path err = outputs.get(p)[1];
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("submit.sh " + String.join(" ", args) + " timed out; stderr:\n"
          + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void usageErrorsStopInTheShell() throws Exception {
    Result r = submit(Map.of(), 30);
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("usage: ./submit.sh COMMAND"), r.err());
    r = submit(Map.of(), 30, "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("commands:"), r.out());
    r = submit(Map.of(), 30, "frobnicate");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown command 'frobnicate'"), r.err());
    r = submit(Map.of(), 30, "evaluate", "--conf", "novalue");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--conf needs key=value, got 'novalue'"), r.err());
    r = submit(Map.of("PATH", "/usr/bin:/bin"), 30, "evaluate", "--master", "yarn");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--master yarn needs spark-submit"), r.err());
  }

  @Test
  void handsTheJarAndConfToSparkSubmit() throws Exception {
    Path bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    Path args = tmp.resolve("args.txt");
    Path fake = bin.resolve("spark-submit");
    Files.writeString(fake, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '" + args + "'\nexit 7\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Result r = submit(Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH")), 30,
        "evaluate", "--input", "hdfs:///lake/p", "--master", "yarn", "--conf",
        "spark.executor.memory=8g", "--where", "a = 'x y'");
    assertEquals(7, r.code(), "the exit code of spark-submit: " + r.err());
    List<String> a = Files.readAllLines(args);
    Path root = Path.of("").toAbsolutePath();
    assertEquals(List.of("--class", "io.sparkbce.job.Main", "--properties-file",
        root.resolve("conf/spark-defaults.conf").toString(), "--master", "yarn",
        "--driver-java-options"), a.subList(0, 7));
    assertTrue(a.get(7).contains("--add-opens=java.base/java.lang=ALL-UNNAMED"), a.get(7));
    assertTrue(a.get(7).contains("-Dlog4j2.configurationFile=" + root.resolve("conf/log4j2.properties")),
        a.get(7));
    assertTrue(a.contains("spark.executor.memory=8g"), a.toString());
    int jar = a.indexOf(Path.of("target", "classes").toAbsolutePath().toString());
    assertTrue(jar > 0, a.toString());
    assertEquals(List.of("evaluate", "--input", "hdfs:///lake/p", "--where", "a = 'x y'"),
        a.subList(jar + 1, a.size()));

    // A --conf spark.driver.extraJavaOptions joins the driver options instead of replacing
    // them (spark-submit takes the last value): the log4j2 configuration stays.
    r = submit(Map.of("PATH", bin + File.pathSeparator + System.getenv("PATH")), 30,
        "evaluate", "--master", "yarn", "--conf", "spark.driver.extraJavaOptions=-Dmine=1");
    assertEquals(7, r.code(), r.err());
    a = Files.readAllLines(args);
    String driver = a.get(a.indexOf("--driver-java-options") + 1);
    assertTrue(driver.contains("-Dmine=1") && driver.contains("-Dlog4j2.configurationFile="),
        driver);
    assertTrue(a.stream().noneMatch(s -> s.startsWith("spark.driver.extraJavaOptions")),
        a.toString());
  }

  /**
   * The class path submit.sh builds for the embedded run (target/classpath.txt) has the compile
   * and provided dependencies and none of the test ones: Maven runs for real, in a copy of the
   * project whose jar is already built, so only the class path goal runs.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void embeddedClasspathLeavesOutTestDependencies() throws Exception {
    Path project = tmp.resolve("project");
    Files.createDirectories(project.resolve("src/main"));
    Files.createDirectories(project.resolve("target"));
    for (String f : List.of("submit.sh", "pom.xml", "conf/spark-defaults.conf",
        "conf/log4j2.properties")) {
      Files.createDirectories(project.resolve(f).getParent());
      Files.copy(Path.of(f), project.resolve(f));
    }
    Path jar = project.resolve("target/spark-bce-0.1.0-SNAPSHOT.jar");
    Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar")
        .toString(), "cf", jar.toString(), "-C", Path.of("target", "classes").toString(), ".")
        .inheritIO().start();
    assertTrue(j.waitFor(60, TimeUnit.SECONDS) && j.exitValue() == 0, "jar tool");
    ProcessBuilder pb = new ProcessBuilder("bash", "submit.sh", "evaluate", "--help")
        .directory(project.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_"));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Path err = tmp.resolve("build-stderr");
    Process p = pb.redirectOutput(tmp.resolve("build-stdout").toFile())
        .redirectError(err.toFile()).start();
    if (!p.waitFor(200, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("submit.sh timed out; stderr:\n" + Files.readString(err));
    }
    assertEquals(0, p.exitValue(), Files.readString(err));
    assertTrue(Files.readString(err).contains("mvn dependency:build-classpath"),
        "the class path was built: " + Files.readString(err));
    List<String> cp = List.of(Files.readString(project.resolve("target/classpath.txt"))
        .trim().split(File.pathSeparator));
    assertTrue(cp.stream().anyMatch(e -> e.contains("spark-sql_2.13-")), cp.toString());
    for (String test : List.of("junit", "jmh-core", "hadoop-client-minicluster", "spark-hive_",
        "hive-metastore", "derby")) {
      assertTrue(cp.stream().noneMatch(e -> e.contains(test)),
          test + " (a test dependency) on the embedded class path: " + cp);
    }
  }

  /**
   * Under LC_ALL=C a JDK 17 JVM encodes file names as ASCII ('出力' became '??'); submit.sh runs
   * it under a UTF-8 locale, so the name on disk is the one given.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aUnicodeOutputPathIsCreatedAsGivenUnderTheCLocale() throws Exception {
    Path input = JobTesting.writeParquet(JobTesting.samples(20, 2, 4), tmp.resolve("in"));
    String name = "出力 ünï #1 %20";
    Result r = submit(Map.of("LC_ALL", "C", "LANG", "C"), 280, "evaluate", "--input",
        input.toString(), "--output", tmp.resolve(name).toString());
    assertEquals(0, r.code(), "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    try (var names = Files.list(tmp)) {
      List<String> all = names.map(p -> p.getFileName().toString()).toList();
      assertTrue(all.contains(name), all.toString());
    }
    assertTrue(Files.isRegularFile(tmp.resolve(name).resolve("summary.json")));
    assertTrue(r.out().contains("summary: " + tmp.resolve(name).resolve("summary.json")), r.out());
  }

  @Test
  void aPomChangeRebuildsTheClasspathOnceNotOnEveryRun() throws Exception {
    // a copy of the launcher with a fake Maven (which, like the dependency plugin, leaves an
    // unchanged classpath.txt alone) and a fake java
    Path project = tmp.resolve("project");
    Files.createDirectories(project.resolve("target"));
    Files.createDirectories(project.resolve("bin"));
    Files.copy(Path.of("submit.sh"), project.resolve("submit.sh"));
    Files.createDirectories(project.resolve("conf"));
    Files.copy(Path.of("conf", "spark-defaults.conf"), project.resolve("conf/spark-defaults.conf"));
    Files.createDirectories(project.resolve("src/main"));
    Files.writeString(project.resolve("target/spark-bce-0.1.0.jar"), "jar");
    Files.writeString(project.resolve("target/classpath.txt"), "/deps/a.jar");
    Path calls = project.resolve("mvn-calls.txt");
    // and, like Maven 3.8 with -q -B, colour resets on both streams around a warning
    executable(project.resolve("bin/mvn"), "echo \"$*\" >> '" + calls + "'\n"
        + "printf '\\033[0m\\033[0m'\nprintf '\\033[0m[WARNING] a warning\\n' >&2\n");
    executable(project.resolve("bin/java"), "exit 0\n");
    Thread.sleep(1100); // file times have a resolution of a second on some file systems
    Files.writeString(project.resolve("pom.xml"), "<project/>");
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "PATH", project.resolve("bin") + File.pathSeparator + System.getenv("PATH"),
        "JAVA_HOME", project.toString()));
    env.put("SPARK_BCE_JAR", "");
    for (int run = 1; run <= 3; run++) {
      Result r = submitIn(project, env, 30, "evaluate", "--help");
      assertEquals(0, r.code(), r.err());
      if (run == 1) {
        assertTrue(r.err().contains("\n[WARNING] a warning\n") && !r.err().contains("\u001b"),
            "Maven's output without escape codes: " + r.err());
      }
    }
    List<String> mvn = Files.readAllLines(calls);
    assertEquals(1, mvn.size(), "one Maven run for one pom.xml change: " + mvn);
    assertTrue(mvn.get(0).contains("dependency:build-classpath"), mvn.get(0));
  }

  @Test
  void twoLaunchersStartedAtOnceOnAFreshCloneBuildOnce() throws Exception {
    // a copy of the launcher without a jar, and a fake Maven that takes 3 s to "build" it and
    // notes when another Maven runs at the same time in the same project
    Path project = tmp.resolve("fresh");
    Files.createDirectories(project.resolve("bin"));
    Files.createDirectories(project.resolve("conf"));
    Files.createDirectories(project.resolve("src/main"));
    Files.copy(Path.of("submit.sh"), project.resolve("submit.sh"));
    Files.copy(Path.of("conf", "spark-defaults.conf"), project.resolve("conf/spark-defaults.conf"));
    Files.writeString(project.resolve("pom.xml"), "<project/>");
    Path calls = project.resolve("mvn-calls.txt");
    executable(project.resolve("bin/mvn"), "cd '" + project + "'\n"
        + "mkdir -p target\n"
        + "mkdir target/maven-running 2>/dev/null || echo overlap >> '" + calls + "'\n"
        + "echo \"$*\" >> '" + calls + "'\n"
        + "sleep 3\n"
        + "echo jar > target/spark-bce-0.1.0.jar\n"
        + "echo /deps/a.jar > target/classpath.txt\n"
        + "rmdir target/maven-running\n");
    executable(project.resolve("bin/java"), "exit 0\n");
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "PATH", project.resolve("bin") + File.pathSeparator + System.getenv("PATH"),
        "JAVA_HOME", project.toString()));
    env.put("SPARK_BCE_JAR", "");
    Process first = start(project, env, "evaluate", "--help");
    Process second = start(project, env, "evaluate", "--help");
    assertEquals(0, finish(first, 60, "evaluate").code());
    assertEquals(0, finish(second, 60, "evaluate").code());
    List<String> mvn = Files.readAllLines(calls);
    assertFalse(mvn.contains("overlap"), "two Maven builds ran at once in one target/: " + mvn);
    assertEquals(1, mvn.size(), "the second launcher waited and found the jar built: " + mvn);
  }

  private static void executable(Path file, String body) throws Exception {
    Files.writeString(file, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void noIncubatorNoticeButRealWarningsStillShow() throws Exception {
    Result r = submit(Map.of("SPARK_BCE_JAVA_OPTS", "-Xverify:none"), 60, "evaluate", "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("usage: submit.sh evaluate"), r.out());
    assertTrue(!r.err().contains("Using incubator modules"), r.err());
    assertTrue(r.err().contains("-Xverify:none"), "the JVM's own warning: " + r.err());
  }

  @Test
  @Timeout(value = 12, unit = TimeUnit.MINUTES)
  void benchDeletesItsTemporaryDataAfterARunAFailureAndAnInterrupt() throws Exception {
    Path temp = Files.createDirectories(tmp.resolve("java-tmp"));
    Map<String, String> env = Map.of("SPARK_BCE_JAVA_OPTS", "-Djava.io.tmpdir=" + temp);
    Result ok = submit(env, 240, "bench", "--rows", "2000", "--repeat", "1", "--only", "scalar");
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("bce_with_logits_loss(x, y)"), ok.out());
    assertEquals(List.of(), benchDirs(temp), "after a run");

    Result failed = submit(env, 240, "bench", "--rows", "2000", "--repeat", "1", "--only",
        "scalar", "--conf", "spark.io.compression.codec=no-such-codec");
    assertEquals(1, failed.code(), failed.err());
    assertTrue(failed.err().contains("bench failed"), failed.err());
    assertEquals(List.of(), benchDirs(temp), "after a failure");

    Process p = start(Path.of(""), env, "bench", "--rows", "2000000000", "--only", "scalar");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (benchDirs(temp).isEmpty() || !Files.readString(outputs.get(p)[0]).contains("data under")) {
      assertTrue(p.isAlive() && System.nanoTime() < deadline, "bench did not start");
      Thread.sleep(200);
    }
    Thread.sleep(2000); // in the middle of writing the data
    p.destroy(); // SIGTERM to submit.sh, which passes it on to the JVM
    Result interrupted = finish(p, 60, "bench");
    assertTrue(interrupted.code() != 0, "interrupted: exit code " + interrupted.code());
    assertEquals(List.of(), benchDirs(temp), "after an interrupt");
  }

  /**
   * Ctrl-C or {@code kill} while {@code evaluate --reduction none} writes its losses: the staged
   * {@code .losses.tmp-UUID} must not stay behind (it did, emptied but present: a task recreated
   * it after the job's own cleanup). The {@code --where} sleeps 1 ms a row so that the write of
   * 4,000 rows lasts seconds on any machine.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void evaluateInterruptedWhileWritingItsLossesLeavesNothing() throws Exception {
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 4000; i++) {
      csv.append(i / 1000.0 - 2).append(',').append(i % 2).append('\n');
    }
    Path input = Files.writeString(tmp.resolve("slow.csv"), csv);
    Path out = tmp.resolve("evaluation");
    Process p = start(Path.of(""), Map.of(), "evaluate", "--input", input.toString(), "--logits",
        "x", "--labels", "y", "--reduction", "none", "--where",
        "java_method('java.lang.Thread', 'sleep', 1L) IS NULL", "--output", out.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (names(out).stream().noneMatch(n -> n.startsWith(".losses.tmp-"))) {
      assertTrue(p.isAlive() && System.nanoTime() < deadline, "evaluate did not start writing: "
          + Files.readString(outputs.get(p)[1]));
      Thread.sleep(100);
    }
    Thread.sleep(500); // in the middle of writing the losses
    p.destroy(); // SIGTERM to submit.sh, which passes it on to the JVM
    Result interrupted = finish(p, 90, "evaluate");
    assertTrue(interrupted.code() != 0, "interrupted: exit code " + interrupted.code());
    List<String> left = names(out).stream()
        .filter(n -> n.contains(".tmp-") || n.equals("losses") || n.equals("summary.json"))
        .toList();
    assertEquals(List.of(), left, "left in " + out + "; stderr:\n" + interrupted.err());
  }

  private static List<String> names(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static List<Path> benchDirs(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().startsWith("spark-bce-bench")).toList();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void demoEndToEnd() throws Exception {
    Path dir = Path.of("target", "job-tests", "demo-e2e");
    long start = System.nanoTime();
    Result r = submit(Map.of(), 290, "demo", "--dir", dir.toString());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(0, r.code(), "stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    // progress on stderr: a header at once, each pass with its rows and time; no JVM notice
    assertTrue(r.err().startsWith("spark-bce demo: starting Spark"), r.err());
    for (String phase : List.of("  generating data: 280,000 rows written in ",
        "  computing pos_weight: 280,000 rows read in ",
        "  evaluating (mean loss): 280,000 rows read in ", "  writing the history: ")) {
      assertTrue(r.err().contains(phase), "'" + phase + "' in:\n" + r.err());
    }
    assertTrue(!r.err().contains("incubator"), r.err());
    assertTrue(r.out().contains("$ ./submit.sh monitor --input " + dir.resolve("data")
        + " --time-col date --window \"1 day\""), r.out());
    String summaryPath = dir.resolve("evaluate").resolve("summary.json").toString();
    for (String s : List.of("writing 280,000 rows (7 days x 2 model versions, 16 classes)",
        "model_version | rows used | skipped |  elements | loss (mean)", "loss per class (mean)",
        "pos_weight auto", "The JSON summary is " + summaryPath)) {
      assertTrue(r.out().contains(s), "'" + s + "' in:\n" + r.out());
    }
    JsonNode s = JobTesting.JSON.readTree(Files.readString(Path.of(summaryPath)));
    assertEquals(280_000, s.get("rows").asLong());
    assertEquals(s.get("rows").asLong(), s.get("rows_used").asLong()
        + s.get("skipped_by_reason").get("null_labels").asLong());
    assertEquals(16 * s.get("rows_used").asLong(), s.get("elements").asLong());
    assertEquals(2, s.get("groups").size());
    assertEquals(16, s.get("pos_weight").get("values").size());
    for (JsonNode g : s.get("groups")) {
      assertEquals(16, g.get("loss_per_class").size());
      assertTrue(g.get("loss").asDouble() > 0 && g.get("loss").asDouble() < 10, g.toString());
    }
    assertTrue(Files.isDirectory(dir.resolve("data").resolve("date=2025-06-07")
        .resolve("model_version=v2")));
    System.out.printf("submit.sh demo: %.1f s%n", seconds);
  }
}
