package io.github.sqsconsumer.bench;

/** What the handler does besides recording the message: nothing, or sleep (an I/O-bound handler). */
public enum HandlerType {
  /** Returns at once: measures pure framework overhead. */
  NOOP(0),
  /** Sleeps 1 ms. */
  SLEEP_1MS(1),
  /** Sleeps 10 ms: a typical call to another service. */
  SLEEP_10MS(10);

  private final long millis;

  HandlerType(long millis) {
    this.millis = millis;
  }

  /** Returns how long the handler sleeps. */
  long millis() {
    return millis;
  }

  /** Does the handler's work: sleeps its time, if any. */
  void work() throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }
}
