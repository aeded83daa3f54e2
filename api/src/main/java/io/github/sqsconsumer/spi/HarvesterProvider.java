package io.github.sqsconsumer.spi;

/**
 * Creates {@link Harvester}s; found with {@link java.util.ServiceLoader}.
 *
 * <p>The constructor must be public, take no arguments and do nothing; {@link #create} does the work.
 * Thread-safe.
 */
public interface HarvesterProvider {

  /** Returns the short stable name users choose this harvester by, such as {@code batch}; never null. */
  String name();

  /**
   * Creates a harvester acknowledging through the context's port.
   *
   * @param context never null
   * @return a new harvester, ready to accept outcomes; never null
   * @throws IllegalArgumentException if a setting is invalid
   */
  Harvester create(HarvesterContext context);
}
