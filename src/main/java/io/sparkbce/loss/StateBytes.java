package io.sparkbce.loss;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The byte[] form of a mergeable state. States serialise as this plain byte[] (their
 * writeReplace), because Spark deserialises aggregation states with its own class loader, which
 * cannot see a jar added with --jars but can always read a byte[].
 */
final class StateBytes {
  /** A state's compact writer. */
  interface Writer {
    void writeTo(DataOutput out) throws IOException;
  }

  /** A state's compact reader. */
  interface Reader<T> {
    T readFrom(DataInput in) throws IOException;
  }

  private StateBytes() {}

  static byte[] of(Writer state) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      state.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static <T> T read(byte[] bytes, Reader<T> reader) {
    try {
      return reader.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
