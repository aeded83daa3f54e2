package io.github.sqsconsumer.runner.sqs;

/** The two argument-check helpers: bad value -> IllegalArgumentException, wrong order -> IllegalStateException. */
final class Checks {
  private Checks() {}

  static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  static void requireState(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
