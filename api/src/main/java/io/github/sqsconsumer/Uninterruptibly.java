package io.github.sqsconsumer;

/** Waits that an interrupt must not cut short: close() and its stop phases. */
final class Uninterruptibly {
  private Uninterruptibly() {}

  /** A wait that may be interrupted, such as {@code thread::join} or {@code latch::await}. */
  interface Wait {
    void run() throws InterruptedException;
  }

  /**
   * Runs {@code wait} to its end, running it again after each interrupt; an interrupt is kept and set again
   * on return, for the caller to act on.
   */
  static void await(Wait wait) {
    boolean interrupted = false;
    while (true) {
      try {
        wait.run();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
