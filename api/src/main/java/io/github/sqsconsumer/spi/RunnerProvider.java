package io.github.sqsconsumer.spi;

import java.util.Set;

/**
 * Creates {@link Runner}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * The same shape as the other providers: {@code Consumer.Builder.build()} calls {@link #settingKeys()} and
 * {@link #validate} of the chosen runner, so a bad setting fails there, and {@link #create} once, at
 * {@code start()}. Thread-safe.
 */
public interface RunnerProvider {

  /** {@return the short stable name users choose this runner by, such as {@code sqs}; never null} */
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
   * Checks the context's settings and components as {@link #create} will read them, without creating
   * anything: no client, no threads, no network. Called by {@code Consumer.Builder.build()}, on the
   * building thread, with the same context {@code create} will get; a runner whose {@code validate} passes
   * must not reject that context in {@code create}. The default checks nothing.
   *
   * @param context never null
   * @throws IllegalArgumentException if a setting is invalid; the message names the setting, the bad value
   *     and the allowed range
   */
  default void validate(RunnerContext context) {}

  /**
   * Creates a runner for the context's queue. Called once, by {@code Consumer.start()}, after
   * {@link #validate} passed at {@code build()}. Must not call the network: {@link Runner#open()}
   * connects.
   *
   * @param context never null
   * @return a new runner, never null
   * @throws IllegalArgumentException if a setting is invalid (which {@link #validate} should have said)
   */
  Runner create(RunnerContext context);
}
