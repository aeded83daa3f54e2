package io.github.sqsconsumer.spi;

import java.util.Set;

/**
 * Creates {@link Worker}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * {@code Consumer.Builder.build()} calls {@link #settingKeys()} and {@link #validate} of the chosen worker,
 * so a bad setting fails there, and {@link #create} once, at {@code start()}. Thread-safe.
 */
public interface WorkerProvider {

  /** {@return the short stable name users choose this worker by, such as {@code pool}; never null} */
  String name();

  /**
   * Returns the keys of every setting this worker reads, each starting with {@link #name()} and a dot,
   * such as {@code pool.idleTimeout}. The consumer rejects at {@code build()} any other setting under
   * that prefix, so a misspelled key fails instead of being ignored. The default, for a worker without
   * settings, is none.
   *
   * @return the keys; never null, immutable
   */
  default Set<String> settingKeys() {
    return Set.of();
  }

  /**
   * Checks the context's concurrency and settings as {@link #create} will read them, without creating
   * anything: no threads, no network, no state. Called by {@code Consumer.Builder.build()}, on the
   * building thread, with the same context {@code create} will get; a worker whose {@code validate} passes
   * must not reject that context's settings in {@code create}. The default checks nothing.
   *
   * @param context never null
   * @throws IllegalArgumentException if a setting is invalid; the message names the setting, the bad value
   *     and the allowed range
   */
  default void validate(WorkerContext context) {}

  /**
   * Creates a worker that runs at most {@link WorkerContext#concurrency()} units at once. Called once, by
   * {@code Consumer.start()}, after {@link #validate} passed at {@code build()}.
   *
   * @param context never null
   * @return a new worker, ready to accept units; never null
   * @throws IllegalArgumentException if a setting is invalid (which {@link #validate} should have said)
   */
  Worker create(WorkerContext context);
}
