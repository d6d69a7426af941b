package io.sparkbce.module;

import static io.sparkbce.module.Frames.arrays;
import static io.sparkbce.module.Frames.assertNear;
import static io.sparkbce.module.Frames.frame;
import static io.sparkbce.module.Frames.plus;
import static io.sparkbce.module.Frames.rand;
import static io.sparkbce.module.Frames.sigmoid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkbce.BCELoss;
import io.sparkbce.BCEWithLogitsLoss;
import io.sparkbce.testing.Reference;
import io.sparkbce.testing.TestSpark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC §1's legacy arguments: (size_average, reduce) in {unset, true, false}^2, an unset one
 * counting as true; either one set overrides {@code reduction}; the deprecation warnings; and the
 * validation of {@code reduction} itself, in PyTorch's words.
 */
class LegacyReductionTest {
  private static Dataset<Row> data;
  private static double[][] x;
  private static double[][] q;
  private static double[][] y;

  private final Capture log = new Capture();

  @BeforeAll
  static void data() {
    TestSpark.session();
    Random r = new Random(5);
    x = plus(rand(r, 6, 3), -0.5);
    for (double[] row : x) {
      for (int j = 0; j < row.length; j++) {
        row[j] *= 8;
      }
    }
    q = sigmoid(x);
    y = rand(r, 6, 3);
    data = frame(new String[] {"x", "q", "y"}, x, q, y).cache();
  }

  @BeforeEach
  void listen() {
    log.start();
    logger(BCEWithLogitsLoss.class).addAppender(log);
    logger(BCELoss.class).addAppender(log);
  }

  @AfterEach
  void stopListening() {
    logger(BCEWithLogitsLoss.class).removeAppender(log);
    logger(BCELoss.class).removeAppender(log);
    log.stop();
  }

  private static Logger logger(Class<?> c) {
    return (Logger) LogManager.getLogger(c);
  }

  /** The table of SPEC §1, with {@code reduction} left at its default. */
  static Stream<Arguments> legacyTable() {
    Boolean u = null;
    return Stream.of(
        Arguments.of(u, u, "mean"),
        Arguments.of(u, true, "mean"),
        Arguments.of(u, false, "none"),
        Arguments.of(true, u, "mean"),
        Arguments.of(true, true, "mean"),
        Arguments.of(true, false, "none"),
        Arguments.of(false, u, "sum"),
        Arguments.of(false, true, "sum"),
        Arguments.of(false, false, "none"));
  }

  @ParameterizedTest(name = "size_average={0}, reduce={1} -> {2}")
  @MethodSource("legacyTable")
  void legacyTableWithLogits(Boolean sizeAverage, Boolean reduce, String expected) {
    BCEWithLogitsLoss loss = new BCEWithLogitsLoss(null, sizeAverage, reduce, "mean", null);
    assertEquals(expected, loss.reduction());
    BCEWithLogitsLoss built = BCEWithLogitsLoss.builder()
        .sizeAverage(sizeAverage).reduce(reduce).build();
    assertEquals(expected, built.reduction());
    double[][] ref = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        ref[i][j] = Reference.withLogits(x[i][j], y[i][j], 1, 1);
      }
    }
    checkResult(expected, ref, () -> loss.apply(data, "x", "y"),
        () -> arrays(loss.applyNone(data, "x", "y"), "loss"));
    checkWarning(sizeAverage, reduce, expected, "BCEWithLogitsLoss");
  }

  @ParameterizedTest(name = "size_average={0}, reduce={1} -> {2}")
  @MethodSource("legacyTable")
  void legacyTableProbabilities(Boolean sizeAverage, Boolean reduce, String expected) {
    BCELoss loss = new BCELoss(null, sizeAverage, reduce, "mean");
    assertEquals(expected, loss.reduction());
    assertEquals(expected,
        BCELoss.builder().sizeAverage(sizeAverage).reduce(reduce).build().reduction());
    double[][] ref = new double[q.length][q[0].length];
    for (int i = 0; i < q.length; i++) {
      for (int j = 0; j < q[i].length; j++) {
        ref[i][j] = Reference.probabilities(q[i][j], y[i][j], 1);
      }
    }
    checkResult(expected, ref, () -> loss.apply(data, "q", "y"),
        () -> arrays(loss.applyNone(data, "q", "y"), "loss"));
    checkWarning(sizeAverage, reduce, expected, "BCELoss");
  }

  private void checkResult(String reduction, double[][] ref,
      java.util.function.DoubleSupplier reduced,
      java.util.function.Supplier<double[][]> elementwise) {
    double sum = 0;
    int n = 0;
    for (double[] row : ref) {
      for (double v : row) {
        sum += v;
        n++;
      }
    }
    switch (reduction) {
      case "mean":
        assertNear(sum / n, reduced.getAsDouble(), "mean");
        break;
      case "sum":
        assertNear(sum, reduced.getAsDouble(), "sum");
        break;
      default:
        assertNear(ref, elementwise.get(), "none");
        assertThrows(IllegalStateException.class, reduced::getAsDouble);
    }
    if (!"none".equals(reduction)) {
      assertThrows(IllegalStateException.class, elementwise::get);
    }
  }

  private void checkWarning(Boolean sizeAverage, Boolean reduce, String expected, String module) {
    List<String> warnings = log.messages();
    if (sizeAverage == null && reduce == null) {
      assertEquals(List.of(), warnings);
    } else {
      assertEquals(2, warnings.size(), "one per construction: " + warnings);
      assertEquals(module + ": size_average and reduce args will be deprecated, please use"
          + " reduction='" + expected + "' instead.", warnings.get(0));
    }
  }

  /** Either legacy argument, once set, decides whatever {@code reduction} says. */
  @Test
  void legacyArgumentsOverrideReduction() {
    Boolean[] values = {null, true, false};
    for (Boolean sizeAverage : values) {
      for (Boolean reduce : values) {
        if (sizeAverage == null && reduce == null) {
          continue;
        }
        boolean s = sizeAverage == null || sizeAverage;
        boolean r = reduce == null || reduce;
        String expected = s && r ? "mean" : r ? "sum" : "none";
        // "bogus" too: PyTorch never looks at reduction when a legacy argument is given.
        for (String reduction : new String[] {"mean", "sum", "none", "elementwise_mean", "bogus"}) {
          String what = sizeAverage + ", " + reduce + ", " + reduction;
          assertEquals(expected, new BCEWithLogitsLoss(null, sizeAverage, reduce, reduction, null)
              .reduction(), what);
          assertEquals(expected, new BCELoss(null, sizeAverage, reduce, reduction).reduction(),
              what);
          assertEquals(expected, BCEWithLogitsLoss.builder().reduction(reduction)
              .sizeAverage(sizeAverage).reduce(reduce).build().reduction(), what);
        }
      }
    }
    assertTrue(log.messages().stream().allMatch(m -> m.contains("will be deprecated")),
        "only the legacy warning: " + log.messages());
  }

  @Test
  void reductionValues() {
    assertEquals("mean", new BCEWithLogitsLoss().reduction());
    assertEquals("mean", new BCELoss().reduction());
    assertEquals("mean", new BCEWithLogitsLoss((String) null).reduction());
    assertEquals("sum", new BCELoss("sum").reduction());
    assertEquals("none", new BCEWithLogitsLoss("none").reduction());
    assertEquals(List.of(), log.messages());
  }

  @Test
  void elementwiseMeanIsMeanWithADeprecationWarning() {
    BCEWithLogitsLoss a = new BCEWithLogitsLoss("elementwise_mean");
    BCELoss b = BCELoss.builder().reduction("elementwise_mean").build();
    assertEquals("mean", a.reduction());
    assertEquals("mean", b.reduction());
    assertEquals(List.of(
        "BCEWithLogitsLoss: reduction='elementwise_mean' is deprecated, please use"
            + " reduction='mean' instead.",
        "BCELoss: reduction='elementwise_mean' is deprecated, please use reduction='mean'"
            + " instead."), log.messages());
    assertEquals(new BCEWithLogitsLoss().apply(data, "x", "y"), a.apply(data, "x", "y"));
  }

  /** PyTorch's names are case-sensitive and it has no weighted_mean. */
  @ParameterizedTest
  @ValueSource(strings = {"bogus", "Mean", "SUM", "weighted_mean", "", " mean"})
  void otherReductionsAreRejectedInPyTorchsWords(String reduction) {
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
        () -> new BCEWithLogitsLoss(reduction));
    assertEquals(reduction + " is not a valid value for reduction", a.getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
        () -> BCELoss.builder().reduction(reduction).build());
    assertEquals(reduction + " is not a valid value for reduction", b.getMessage());
  }

  /** Collects the formatted messages logged at WARN or above. */
  private static final class Capture extends AbstractAppender {
    private final List<String> messages = Collections.synchronizedList(new ArrayList<>());

    Capture() {
      super("legacy-reduction-capture", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      if (event.getLevel().isMoreSpecificThan(org.apache.logging.log4j.Level.WARN)) {
        messages.add(event.getMessage().getFormattedMessage());
      }
    }

    List<String> messages() {
      synchronized (messages) {
        return new ArrayList<>(messages);
      }
    }
  }
}
