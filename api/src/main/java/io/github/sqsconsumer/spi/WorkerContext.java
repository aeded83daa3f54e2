package io.github.sqsconsumer.spi;

/** What a worker is created with. Thread-safe. */
public interface WorkerContext extends PartContext {

  /**
   * {@return the concurrency limit: the most units that may run at once, between 1 and 10,000} A hard limit:
   * a worker must never run more.
   */
  int concurrency();
}
