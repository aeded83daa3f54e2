package io.github.sqsconsumer.spi;

import java.util.Set;

/**
 * Creates {@link Runner}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * Unlike the worker and the harvester, the runner is created by {@code Consumer.Builder.build()} (it
 * holds no threads until {@link Runner#open()}), so {@code create} is where it checks its settings.
 * Thread-safe.
 */
public interface RunnerProvider {

  /** Returns the short stable name users choose this runner by, such as {@code sqs}; never null. */
  String name();

  /**
   * Returns the keys of every setting this runner reads, each starting with {@link #name()} and a dot,
   * such as {@code sqs.endpoint}. The consumer rejects at {@code build()} any other setting under that
   * prefix, so a misspelled key fails instead of being ignored. The default, for a runner without
   * settings, is none.
   *
   * @return the keys; never null, immutable
   */
  default Set<String> settingKeys() {
    return Set.of();
  }

  /**
   * Creates a runner for the context's queue, checking its settings. Called once, by
   * {@code Consumer.Builder.build()}. Must not call the network, start threads or hold resources that
   * {@link Runner#close()} would not free: {@link Runner#open()} connects.
   *
   * @param context never null
   * @return a new runner, never null
   * @throws IllegalArgumentException if a setting is invalid; the message names the setting, the bad value
   *     and the allowed range
   */
  Runner create(RunnerContext context);
}
