package io.github.sqsconsumer.spi;

/**
 * Creates {@link Worker}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * Thread-safe.
 */
public interface WorkerProvider {

  /** Returns the short stable name users choose this worker by, such as {@code pool}; never null. */
  String name();

  /**
   * Creates a worker that runs at most {@link WorkerContext#concurrency()} units at once.
   *
   * @param context never null
   * @return a new worker, ready to accept units; never null
   * @throws IllegalArgumentException if a setting is invalid
   */
  Worker create(WorkerContext context);
}
