package io.sparkbce.loss;

/** Receives the valid elements of a row, one by one, in class (innermost index) order. */
public interface ElementConsumer {
  /** Called before each innermost vector of a row; its size is the number of classes. */
  default void beginBlock(int classCount) {}

  void accept(int classIndex, double value, double weight);
}
