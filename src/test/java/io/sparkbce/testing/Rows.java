package io.sparkbce.testing;

import java.util.ArrayList;
import java.util.List;
import scala.jdk.javaapi.CollectionConverters;

/** Spark result values (Scala sequences, boxed numbers) as plain Java lists and doubles. */
public final class Rows {
  private Rows() {}

  public static Object toJava(Object v) {
    if (v instanceof scala.collection.Seq) {
      List<Object> out = new ArrayList<>();
      for (Object e : CollectionConverters.asJava((scala.collection.Seq<?>) v)) {
        out.add(toJava(e));
      }
      return out;
    }
    if (v instanceof List) {
      List<Object> out = new ArrayList<>();
      for (Object e : (List<?>) v) {
        out.add(toJava(e));
      }
      return out;
    }
    return v;
  }
}
