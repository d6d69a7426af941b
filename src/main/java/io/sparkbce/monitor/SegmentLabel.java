package io.sparkbce.monitor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The label of a segment for people and for keys within one run: {@code all} without group-by,
 * else {@code col=value,col=value} in group-by order. Distinct segments get distinct labels: a
 * value is written as it is only when it cannot be mistaken (not empty, not NULL in any case, no
 * {@code , = ' \}, no surrounding blanks); otherwise it is quoted as {@code '...'} with {@code \}
 * and {@code '} escaped. A NULL group is {@code NULL}, the string is {@code 'NULL'}; binary values
 * are {@code 0x...}; arrays, maps and structs are quoted JSON-like text whose strings are quoted.
 * The history keys segments by their typed values ({@code segment_values}); the label only names
 * them.
 */
public final class SegmentLabel {
  static final String ALL = "all";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SegmentLabel() {}

  /** The label of the segment whose group-by columns {@code names} have {@code values}. */
  public static String of(List<String> names, Row values) {
    if (names.isEmpty()) {
      return ALL;
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.add(names.get(i) + "=" + value(values.isNullAt(i) ? null : values.get(i)));
    }
    return String.join(",", parts);
  }

  /** One value as it appears after {@code col=}. */
  static String value(Object v) {
    if (v == null) {
      return "NULL";
    }
    String text = v instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b)
        : isNested(v) ? nested(v) : v.toString();
    return plain(text) ? text : quote(text);
  }

  private static boolean plain(String s) {
    if (s.isEmpty() || s.trim().length() != s.length()
        || s.toUpperCase(Locale.ROOT).equals("NULL")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '=' || c == '\'' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static boolean isNested(Object v) {
    return v instanceof Row || v instanceof scala.collection.Iterable<?> || v instanceof List<?>
        || v instanceof Map<?, ?>;
  }

  /** Arrays as [a,b], maps as {k:v}, structs as {a,b}, strings inside as JSON strings. */
  private static String nested(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Row r) {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        parts.add(nested(r.isNullAt(i) ? null : r.get(i)));
      }
      return "{" + String.join(",", parts) + "}";
    }
    if (v instanceof scala.collection.Map<?, ?> m) {
      return nested(scala.jdk.javaapi.CollectionConverters.asJava(m));
    }
    if (v instanceof Map<?, ?> m) {
      List<String> parts = new ArrayList<>();
      m.forEach((k, x) -> parts.add(nested(k) + ":" + nested(x)));
      return "{" + String.join(",", parts) + "}";
    }
    if (v instanceof scala.collection.Iterable<?> it) {
      return nested(new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJavaCollection(it)));
    }
    if (v instanceof List<?> l) {
      List<String> parts = new ArrayList<>();
      for (Object x : l) {
        parts.add(nested(x));
      }
      return "[" + String.join(",", parts) + "]";
    }
    if (v instanceof byte[] b) {
      return "0x" + HexFormat.of().formatHex(b);
    }
    if (v instanceof String s) {
      try {
        return JSON.writeValueAsString(s);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return v.toString();
  }
}
