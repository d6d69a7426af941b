package io.sparkbce.udf;

import static io.sparkbce.testing.Close.assertGolden;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkbce.BceFunctions;
import io.sparkbce.testing.Golden;
import io.sparkbce.testing.Golden.GoldenCase;
import io.sparkbce.testing.Rows;
import io.sparkbce.testing.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of ../shared/golden through SQL and through the Column API, rows as Spark rows:
 * shape [N, C] is N rows of C-element arrays; {@code weight_kind} row / element / class maps the
 * weight to a number per row, an array of the row's shape, or one length-C array on every row.
 */
class GoldenVectorsTest {
  private static final String VIEW = "golden_case";

  @TestFactory
  Stream<DynamicTest> bceWithLogitsThroughSql() {
    return cases("bce_with_logits.jsonl", Api.SQL);
  }

  @TestFactory
  Stream<DynamicTest> bceWithLogitsThroughColumnApi() {
    return cases("bce_with_logits.jsonl", Api.COLUMN);
  }

  @TestFactory
  Stream<DynamicTest> bceThroughSql() {
    return cases("bce.jsonl", Api.SQL);
  }

  @TestFactory
  Stream<DynamicTest> bceThroughColumnApi() {
    return cases("bce.jsonl", Api.COLUMN);
  }

  enum Api { SQL, COLUMN }

  private static Stream<DynamicTest> cases(String file, Api api) {
    return Golden.cases(file).stream()
        .map(c -> DynamicTest.dynamicTest(c.id() + " via " + api, () -> check(c, api)));
  }

  private static void check(GoldenCase c, Api api) {
    boolean logits = "bce_with_logits".equals(c.node.get("loss").asText());
    Dataset<Row> data = frame(c);
    Column loss = lossColumn(c, api, logits, data);
    if (c.error() != null) {
      Exception e = assertThrows(Exception.class, () -> data.select(loss).collectAsList());
      assertTrue(messages(e).contains(expectedError(c)),
          () -> "error should contain '" + expectedError(c) + "', got: " + messages(e));
      return;
    }
    if ("none".equals(c.reduction())) {
      List<Row> rows = data.select(functions.col("idx"), loss).orderBy("idx").collectAsList();
      assertEquals(c.rows(), rows.size());
      for (Row r : rows) {
        int n = r.getInt(0);
        String where = c.id() + " row " + n;
        Object actual = Rows.toJava(r.get(1));
        if (c.rank() == 1) {
          assertNotNull(actual, where + ": NULL");
          assertGolden(c.float32(), c.exactElement(n), ((Number) actual).doubleValue(), where);
        } else {
          compareNested(c.float32(), c.exact().get(n), actual, where);
        }
      }
    } else {
      Row r = data.select(loss).collectAsList().get(0);
      Double v = r.isNullAt(0) ? null : r.getDouble(0);
      double exact = c.exact().asDouble();
      if (c.rows() == 0 && "mean".equals(c.reduction())) {
        assertTrue(Double.isNaN(exact), "golden: PyTorch's mean of nothing is NaN");
        assertNull(v, "a mean over zero elements is SQL NULL");
      } else {
        assertGolden(c.float32(), exact, v, c.id());
      }
    }
  }

  private static Column lossColumn(GoldenCase c, Api api, boolean logits, Dataset<Row> data) {
    String reduction = c.reduction();
    boolean none = "none".equals(reduction);
    Column x = functions.col("x");
    Column y = functions.col("y");
    Column w = c.weight() == null ? null : functions.col("w");
    double[] pw = c.posWeight();
    if (api == Api.COLUMN) {
      if (!logits) {
        return none ? BceFunctions.bce(x, y, w) : BceFunctions.bceLoss(x, y, w, reduction);
      }
      return none
          ? BceFunctions.bceWithLogits(x, y, w, pw)
          : BceFunctions.bceWithLogitsLoss(x, y, w, pw, reduction);
    }
    data.createOrReplaceTempView(VIEW);
    String wSql = w == null ? "NULL" : "w";
    String sql;
    if (!logits) {
      sql = none ? "bce(x, y, " + wSql + ")" : "bce_loss(x, y, " + wSql + ", '" + reduction + "')";
    } else {
      String pSql = pw == null ? "NULL" : sqlArray(pw);
      sql = none
          ? "bce_with_logits(x, y, " + wSql + ", " + pSql + ")"
          : "bce_with_logits_loss(x, y, " + wSql + ", " + pSql + ", '"
              + reduction.toUpperCase(Locale.ROOT) + "')";
    }
    return functions.expr(sql);
  }

  static String sqlArray(double[] values) {
    StringBuilder b = new StringBuilder("array(");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ", ").append(values[i]).append('D');
    }
    return b.append(')').toString();
  }

  private static String expectedError(GoldenCase c) {
    String e = c.error();
    if (e.startsWith("Target size")) {
      return "Target size (4) must be the same as input size (5)";
    }
    if (e.startsWith("The size of tensor a")) {
      return "pos_weight size (4) must match the number of classes (5)";
    }
    return e;
  }

  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append(" | ");
    }
    return b.toString();
  }

  private static void compareNested(
      boolean float32, JsonNode exact, Object actual, String where) {
    if (exact.isArray()) {
      assertTrue(actual instanceof List, where + ": expected an array, got " + actual);
      List<?> a = (List<?>) actual;
      assertEquals(exact.size(), a.size(), where + ": size");
      for (int i = 0; i < a.size(); i++) {
        compareNested(float32, exact.get(i), a.get(i), where + "[" + i + "]");
      }
    } else {
      assertNotNull(actual, where + ": NULL");
      assertGolden(float32, exact.asDouble(), ((Number) actual).doubleValue(), where);
    }
  }

  static Dataset<Row> frame(GoldenCase c) {
    SparkSession spark = TestSpark.session();
    int rank = c.rank();
    DataType leaf = c.float32() ? DataTypes.FloatType : DataTypes.DoubleType;
    DataType rowType = nested(leaf, rank - 1);
    Function<JsonNode, Object> value = v -> toValue(v, c.float32());
    String kind = c.weightKind();
    DataType wType = kind == null ? null
        : "row".equals(kind) ? DataTypes.DoubleType
        : "class".equals(kind) ? nested(DataTypes.DoubleType, 1)
        : nested(DataTypes.DoubleType, rank - 1);
    List<StructField> fields = new ArrayList<>(List.of(
        DataTypes.createStructField("idx", DataTypes.IntegerType, false),
        DataTypes.createStructField("x", rowType, true),
        DataTypes.createStructField("y", nested(leaf, c.target().size() == 0 ? rank - 1
            : depth(c.target().get(0))), true)));
    if (wType != null) {
      fields.add(DataTypes.createStructField("w", wType, true));
    }
    List<Row> rows = new ArrayList<>();
    for (int n = 0; n < c.rows(); n++) {
      List<Object> values = new ArrayList<>();
      values.add(n);
      values.add(value.apply(c.input().get(n)));
      values.add(value.apply(c.target().get(n)));
      if (wType != null) {
        JsonNode w = c.weight();
        Object wv;
        if ("row".equals(kind)) {
          JsonNode r = w.get(n);
          while (r.isArray()) {
            r = r.get(0);
          }
          wv = r.asDouble();
        } else if ("class".equals(kind)) {
          wv = toValue(w, false);
        } else {
          wv = toValue(w.get(n), false);
        }
        values.add(wv);
      }
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, new StructType(fields.toArray(new StructField[0])))
        .repartition(2);
  }

  private static int depth(JsonNode v) {
    int d = 0;
    while (v.isArray()) {
      v = v.size() == 0 ? null : v.get(0);
      d++;
      if (v == null) {
        break;
      }
    }
    return d;
  }

  private static DataType nested(DataType leaf, int depth) {
    DataType t = leaf;
    for (int i = 0; i < depth; i++) {
      t = DataTypes.createArrayType(t, true);
    }
    return t;
  }

  private static Object toValue(JsonNode v, boolean float32) {
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      for (JsonNode e : v) {
        l.add(toValue(e, float32));
      }
      return l;
    }
    double d = v.asDouble();
    if (float32) {
      float f = (float) d;
      assertEquals(d, (double) f, "golden float32 input is a float32 value");
      return f;
    }
    return d;
  }
}
