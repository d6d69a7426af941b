package io.sparkbce.loss;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Exact sums, one per class, for the per-class states ({@link ClassCount}'s rule). */
final class ClassSums {
  ExactSum[] sums = new ExactSum[0];

  void ensure(int classCount) {
    if (ClassCount.first(sums.length, classCount)) {
      sums = new ExactSum[classCount];
      for (int c = 0; c < classCount; c++) {
        sums[c] = new ExactSum();
      }
    }
  }

  void merge(ClassSums other) {
    if (other.sums.length == 0) {
      return;
    }
    ensure(other.sums.length);
    for (int c = 0; c < sums.length; c++) {
      sums[c].merge(other.sums[c]);
    }
  }

  /** All classes' sums in one. */
  ExactSum total() {
    ExactSum t = new ExactSum();
    for (ExactSum s : sums) {
      t.merge(s);
    }
    return t;
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeInt(sums.length);
    for (ExactSum s : sums) {
      s.writeTo(out);
    }
  }

  void readFrom(DataInput in) throws IOException {
    int n = in.readInt();
    sums = new ExactSum[n];
    for (int c = 0; c < n; c++) {
      sums[c] = ExactSum.readFrom(in);
    }
  }
}
