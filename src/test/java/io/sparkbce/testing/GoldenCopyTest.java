package io.sparkbce.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's copies of the team's contract ({@code docs/SPEC.md}) and reference vectors
 * ({@code src/test/resources/golden}) never drift: byte-identical to {@code ../shared} whenever
 * that folder is beside the project, and, in a clone alone, to the SHA-256 sums recorded when they
 * were copied ({@code src/test/resources/golden.sha256}), so an edit of a copy fails either way.
 */
class GoldenCopyTest {
  private static final Path SPEC = Paths.get("docs", "SPEC.md");
  private static final Path SHARED_SPEC = Paths.get("..", "shared", "SPEC.md");
  private static final Path SUMS = Paths.get("src", "test", "resources", "golden.sha256");

  @Test
  void copiesMatchTheirRecordedSums() {
    Map<String, String> recorded = new TreeMap<>();
    for (String line : lines(SUMS)) {
      String[] parts = line.split("\\s+\\*?", 2);
      recorded.put(parts[1], parts[0]);
    }
    Map<String, String> actual = new TreeMap<>();
    for (Path f : files(Golden.DIR)) {
      actual.put(f.getFileName().toString(), sha256(f));
    }
    actual.put(SPEC.getFileName().toString(), sha256(SPEC));
    assertEquals(recorded, actual, "copies vs " + SUMS);
    assertEquals(List.of("README.md", "bce.jsonl", "bce_with_logits.jsonl"),
        files(Golden.DIR).stream().map(p -> p.getFileName().toString()).toList());
  }

  @Test
  void copiesAreByteIdenticalToSharedWhenItIsBeside() {
    if (!Files.isDirectory(Golden.SHARED_DIR)) {
      // A clone alone: nothing to compare with; copiesMatchTheirRecordedSums still guards it.
      return;
    }
    List<String> shared = names(files(Golden.SHARED_DIR));
    assertEquals(shared, names(files(Golden.DIR)), "file list of " + Golden.DIR);
    for (String name : shared) {
      assertArrayEquals(bytes(Golden.SHARED_DIR.resolve(name)), bytes(Golden.DIR.resolve(name)),
          Golden.DIR.resolve(name) + " differs from " + Golden.SHARED_DIR.resolve(name)
              + ": copy the shared folder again and update " + SUMS);
    }
    assertArrayEquals(bytes(SHARED_SPEC), bytes(SPEC), SPEC + " differs from " + SHARED_SPEC);
  }

  private static List<Path> files(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> names(List<Path> files) {
    return files.stream().map(p -> p.getFileName().toString()).toList();
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(Path p) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
