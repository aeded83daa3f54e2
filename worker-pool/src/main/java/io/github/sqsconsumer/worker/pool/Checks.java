package io.github.sqsconsumer.worker.pool;

/** The argument-check helper: a bad value gives an IllegalArgumentException with a lower-case message. */
final class Checks {
  private Checks() {}

  static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /** Returns the duration in nanoseconds, saturated instead of overflowing (a timeout of years is forever). */
  static long saturatedNanos(java.time.Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
