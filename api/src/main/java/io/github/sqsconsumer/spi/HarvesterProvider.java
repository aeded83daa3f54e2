package io.github.sqsconsumer.spi;

import java.util.Set;

/**
 * Creates {@link Harvester}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * {@code Consumer.Builder.build()} calls {@link #settingKeys()} and {@link #validate} of the chosen
 * harvester, so a bad setting fails there, and {@link #create} once, at {@code start()}. Thread-safe.
 */
public interface HarvesterProvider {

  /** {@return the short stable name users choose this harvester by, such as {@code batch}; never null} */
  String name();

  /**
   * Returns the keys of every setting this harvester reads, each starting with {@link #name()} and a dot,
   * such as {@code batch.maxWait}. The consumer rejects at {@code build()} any other setting under that
   * prefix, so a misspelled key fails instead of being ignored. The default, for a harvester without
   * settings, is none.
   *
   * @return the keys; never null, immutable
   */
  default Set<String> settingKeys() {
    return Set.of();
  }

  /**
   * Checks the context's settings as {@link #create} will read them, without creating anything: no
   * threads, no network, no state. Called by {@code Consumer.Builder.build()}, on the building thread,
   * with the same context {@code create} will get; it must not use the context's port or callback (the
   * consumer is not running). A harvester whose {@code validate} passes must not reject that context's
   * settings in {@code create}. The default checks nothing.
   *
   * @param context never null
   * @throws IllegalArgumentException if a setting is invalid; the message names the setting, the bad value
   *     and the allowed range
   */
  default void validate(HarvesterContext context) {}

  /**
   * Creates a harvester acknowledging through the context's port. Called once, by
   * {@code Consumer.start()}, after {@link #validate} passed at {@code build()}.
   *
   * @param context never null
   * @return a new harvester, ready to accept outcomes; never null
   * @throws IllegalArgumentException if a setting is invalid (which {@link #validate} should have said)
   */
  Harvester create(HarvesterContext context);
}
