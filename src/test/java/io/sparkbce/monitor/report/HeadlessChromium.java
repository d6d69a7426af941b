package io.sparkbce.monitor.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs Debian's headless {@code chromium} for the report's tests (skipped where it is absent). */
final class HeadlessChromium {
  private final String exe;
  private final Path work;

  private HeadlessChromium(String exe, Path work) {
    this.exe = exe;
    this.work = work;
  }

  /** The browser, or the test is skipped (with the reason) when it is not installed. */
  static HeadlessChromium require(Path work) {
    String exe = find();
    Assumptions.assumeTrue(exe != null, "chromium is not installed (apt-get install -y chromium):"
        + " skipping the headless-browser test of the HTML report");
    return new HeadlessChromium(exe, work);
  }

  private static String find() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    return null;
  }

  /** The DOM of {@code page} after its scripts ran, laid out in a window of that size. */
  String dumpDom(Path page, int width, int height) throws Exception {
    return run("--dump-dom", "--window-size=" + width + "," + height, page.toUri().toString());
  }

  /** A PNG of {@code page} as a window of that size shows it. */
  void screenshot(Path page, Path png, int width, int height) throws Exception {
    Files.createDirectories(png.getParent());
    Files.deleteIfExists(png);
    run("--screenshot=" + png, "--window-size=" + width + "," + height, page.toUri().toString());
    assertTrue(Files.size(png) > 5_000, "screenshot " + png);
    byte[] head = Files.readAllBytes(png);
    assertEquals((byte) 0x89, head[0]);
    assertEquals('P', head[1]);
  }

  private String run(String... args) throws Exception {
    Path profile = Files.createTempDirectory(work, "chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--hide-scrollbars", "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(work, "chromium", ".log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish in 90 s");
    }
    assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(log));
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
