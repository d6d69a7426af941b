package io.sparkbce.testing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference vectors (PyTorch 1.13 and 80-digit arithmetic), read from the project's own copy in
 * {@code src/test/resources/golden} so that a clone runs its tests alone; {@code GoldenCopyTest}
 * keeps that copy byte-identical to the team's {@code ../shared/golden} whenever it is beside the
 * project. See the folder's README for the fields.
 */
public final class Golden {
  public static final Path DIR = Paths.get("src", "test", "resources", "golden");
  /** The team's reference folder, beside the project in its layout (absent in a lone clone). */
  public static final Path SHARED_DIR = Paths.get("..", "shared", "golden");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  private Golden() {}

  public static List<GoldenCase> cases(String file) {
    Path path = DIR.resolve(file);
    try {
      List<GoldenCase> out = new ArrayList<>();
      for (String line : Files.readAllLines(path)) {
        if (!line.isBlank()) {
          out.add(new GoldenCase(JSON.readTree(line)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the golden vectors at " + path.toAbsolutePath()
          + " (tests run from the project root)", e);
    }
  }

  /** One line of a golden file. */
  public static final class GoldenCase {
    public final JsonNode node;

    GoldenCase(JsonNode node) {
      this.node = node;
    }

    public String id() {
      return node.get("id").asText();
    }

    public String reduction() {
      return node.get("reduction").asText();
    }

    public boolean float32() {
      return "float32".equals(node.get("dtype").asText());
    }

    public int rank() {
      return node.get("shape").size();
    }

    public int rows() {
      return node.get("shape").get(0).asInt();
    }

    public JsonNode input() {
      return node.get("input");
    }

    public JsonNode target() {
      return node.get("target");
    }

    public JsonNode weight() {
      JsonNode w = node.get("weight");
      return w == null || w.isNull() ? null : w;
    }

    public String weightKind() {
      JsonNode k = node.get("weight_kind");
      return k == null || k.isNull() ? null : k.asText();
    }

    public double[] posWeight() {
      JsonNode p = node.get("pos_weight");
      if (p == null || p.isNull()) {
        return null;
      }
      double[] r = new double[p.size()];
      for (int i = 0; i < r.length; i++) {
        r[i] = p.get(i).asDouble();
      }
      return r;
    }

    /**
     * The exact value of element {@code row} of a one-dimensional {@code none} case, with the one
     * known erratum of the golden file corrected: {@code bce(1e-300, 0)} = -log(1 - 1e-300)
     * = 1e-300 + 5e-601 + ..., which rounds to the double 1e-300, not 0: the 80-digit evaluation
     * behind {@code exact} rounded 1 - 1e-300 to 1 (it keeps 1e-50, which 80 digits still hold).
     */
    public double exactElement(int row) {
      double q = input().get(row).asDouble();
      if ("bce".equals(node.get("loss").asText()) && q == 1e-300
          && target().get(row).asDouble() == 0.0 && weight() == null) {
        return 1e-300;
      }
      return exact().get(row).asDouble();
    }

    public JsonNode exact() {
      return node.get("exact");
    }

    public JsonNode expected() {
      return node.get("expected");
    }

    public String error() {
      JsonNode e = node.get("error");
      return e == null || e.isNull() ? null : e.asText();
    }

    @Override
    public String toString() {
      return id();
    }
  }
}
