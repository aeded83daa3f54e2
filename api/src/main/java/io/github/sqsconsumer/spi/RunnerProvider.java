package io.github.sqsconsumer.spi;

/**
 * Creates {@link Runner}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * Thread-safe.
 */
public interface RunnerProvider {

  /** Returns the short stable name users choose this runner by, such as {@code sqs}; never null. */
  String name();

  /**
   * Creates a runner for the context's queue. Must not call the network: {@link Runner#open()} does.
   *
   * @param context never null
   * @return a new runner, never null
   * @throws IllegalArgumentException if a setting is invalid
   */
  Runner create(RunnerContext context);
}
