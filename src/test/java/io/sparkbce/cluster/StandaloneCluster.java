package io.sparkbce.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster of separate JVMs on 127.0.0.1, started from the test class path: a
 * {@code Master}, one {@code Worker} (which forks the applications' executor JVMs) and a
 * {@code SPARK_HOME} laid out like a Spark distribution: {@code jars/} links every jar of the test
 * class path but the test-only libraries, and {@code bin/spark-submit} does what the
 * distribution's does (Spark's launcher builds the {@code java ... SparkSubmit} command line,
 * driver options included, and the script runs it). Project classes are not in {@code jars/}:
 * spark-submit ships the application jar.
 *
 * <p>Every step waits with a timeout (a wrong class path hangs rather than fails); {@link #close}
 * kills the Master, the Worker and every executor JVM, also after a failure.
 */
final class StandaloneCluster implements AutoCloseable {
  /** Jars of the test class path a Spark distribution does not have. */
  private static final List<String> TEST_ONLY = List.of("junit", "jmh-", "opentest4j",
      "apiguardian", "hamcrest", "jopt-simple", "hadoop-client-minicluster");

  final Path home;
  final Path workDir;
  final String masterUrl;
  private final Path logs;
  private final List<Process> daemons = new ArrayList<>();

  private StandaloneCluster(Path home, Path workDir, Path logs, String masterUrl) {
    this.home = home;
    this.workDir = workDir;
    this.logs = logs;
    this.masterUrl = masterUrl;
  }

  /** Lays out SPARK_HOME under {@code dir}, starts the Master and the Worker, waits for both. */
  static StandaloneCluster start(Path dir, int workerCores) throws Exception {
    Path home = dir.resolve("spark-home");
    layOut(home);
    int port = freePort();
    StandaloneCluster c = new StandaloneCluster(home, dir.resolve("work"), dir.resolve("logs"),
        "spark://127.0.0.1:" + port);
    Files.createDirectories(c.workDir);
    Files.createDirectories(c.logs);
    try {
      c.daemon("master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
          "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort())),
          "I have been elected leader", 240);
      c.daemon("worker", List.of("org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
          "--cores", String.valueOf(workerCores), "--memory", "2g", "--webui-port",
          String.valueOf(freePort()), "--work-dir", c.workDir.toString(), c.masterUrl),
          "Successfully registered with master", 240);
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The environment of a Spark distribution's scripts and daemons. */
  Map<String, String> environment() {
    return Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13",
        "SPARK_LOCAL_IP", "127.0.0.1", "JAVA_HOME", System.getProperty("java.home"));
  }

  private static void layOut(Path home) throws IOException {
    Path jars = home.resolve("jars");
    Files.createDirectories(jars);
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("conf"));
    for (String e : ClusterSupport.testClasspath()) {
      Path jar = Paths.get(e);
      String name = jar.getFileName().toString();
      if (ClusterSupport.isProjectClasses(e) || !name.endsWith(".jar")
          || TEST_ONLY.stream().anyMatch(name::contains)) {
        continue;
      }
      Path link = jars.resolve(name);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, jar.toAbsolutePath());
      }
    }
    // bin/spark-submit -> bin/spark-class -> launcher.Main, without spark-env.sh.
    Path submit = home.resolve("bin/spark-submit");
    Files.writeString(submit, String.join("\n",
        "#!/usr/bin/env bash",
        "# As bin/spark-class: the launcher prints a NUL line, then the java command NUL-separated",
        "# (the driver's options applied); the script appends the launcher's exit code.",
        "set -uo pipefail",
        "export SPARK_HOME=\"$(cd \"$(dirname \"$0\")/..\" && pwd)\"",
        "export SPARK_SCALA_VERSION=2.13",
        "JAVA=\"${JAVA_HOME:+$JAVA_HOME/bin/}java\"",
        "build_command() {",
        "  \"$JAVA\" -Xmx128m -cp \"$SPARK_HOME/jars/*\" org.apache.spark.launcher.Main"
            + " org.apache.spark.deploy.SparkSubmit \"$@\"",
        "  printf '%d\\0' $?",
        "}",
        "CMD=()",
        "DELIM=$'\\n'",
        "STARTED=false",
        "while IFS= read -d \"$DELIM\" -r ARG; do",
        "  if [ \"$STARTED\" = true ]; then CMD+=(\"$ARG\");",
        "  elif [ -z \"$ARG\" ]; then DELIM=''; STARTED=true;",
        "  else echo \"$ARG\"; fi",
        "done < <(build_command \"$@\")",
        "LAST=$((${#CMD[@]} - 1))",
        "[ \"${CMD[$LAST]}\" = 0 ] || exit \"${CMD[$LAST]}\"",
        "exec \"${CMD[@]:0:$LAST}\"", ""));
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void daemon(String name, List<String> args, String ready, long timeoutSeconds)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(List.of(ClusterSupport.executorJavaOptions().split(" ")));
    cmd.addAll(List.of("-cp", home.resolve("jars") + File.separator + "*"));
    cmd.addAll(args);
    Path log = logs.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().putAll(environment());
    Process p = pb.start();
    daemons.add(p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (!Files.readString(log).contains(ready)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new TimeoutException("the standalone " + name + " did not log '" + ready
            + "' within " + timeoutSeconds + " s (alive: " + p.isAlive() + "); its log:\n"
            + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /**
   * The Worker's executor JVMs of one application ({@code --app-id ID} on their command line): an
   * executor of the previous application may still be shutting down when the next one starts.
   */
  List<ProcessHandle> executorsOf(String appId) {
    return daemons.size() < 2 ? List.of() : daemons.get(1).descendants()
        .filter(p -> {
          String cmd = p.info().commandLine().orElse("");
          return cmd.contains("CoarseGrainedExecutorBackend") && cmd.contains(appId);
        })
        .collect(Collectors.toList());
  }

  /** The application folders (work/app-ID) the Worker has made so far, by name. */
  List<Path> appDirs() throws IOException {
    try (Stream<Path> s = Files.list(workDir)) {
      return s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
    }
  }

  /** The executor folders (work/app-ID/N) of one application. */
  static List<Path> executorDirsOf(Path app) throws IOException {
    try (Stream<Path> s = Files.list(app)) {
      return s.sorted().collect(Collectors.toList());
    }
  }

  /** The executor folders of the application the Worker ran last (work/app-ID/N). */
  List<Path> executorDirs() throws IOException {
    List<Path> apps = appDirs();
    return apps.isEmpty() ? List.of() : executorDirsOf(apps.get(apps.size() - 1));
  }

  String log(String name) throws IOException {
    return Files.readString(logs.resolve(name + ".log"));
  }

  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>();
    for (Process p : daemons) {
      p.descendants().forEach(all::add);
      all.add(p.toHandle());
    }
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : all) {
      try {
        h.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // destroyForcibly is SIGKILL; a process still there after 30 s is reported by the OS
      }
    }
    daemons.clear();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
