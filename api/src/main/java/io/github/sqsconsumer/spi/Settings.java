package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Part-specific settings, such as {@code batch.maxWait} for the batching harvester, given and checked as
 * {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)} says. A part documents its keys,
 * ranges and defaults in the Javadoc of its module ({@code module-info.java}), where its users see them.
 *
 * <p>Thread-safe and immutable. The typed getters validate: a value that does not parse or is out of range
 * fails with an {@link IllegalArgumentException} naming the key, the value and the allowed range. A part
 * lists the keys it reads in its provider's {@code settingKeys()} and reads them all in its provider's
 * {@code validate}, which {@code build()} calls, so a bad setting fails
 * there, not at {@code start()} or later. A consumer's settings are fixed at {@code build()}: the builder's
 * values over the system properties of that moment, with only the keys the chosen parts list.
 */
public interface Settings {

  /**
   * Returns settings read from {@code values}, falling back to the system properties
   * {@code io.github.sqsconsumer.<key>} when read: parsed and checked as the consumer's own, for tests of a
   * part's settings.
   *
   * @param values never null; copied
   * @return the settings, never null
   */
  static Settings of(Map<String, String> values) {
    return new MapSettings(values);
  }

  /** Returns the raw value for the key, or empty. Never null. */
  Optional<String> get(String key);

  /**
   * Returns an integer setting.
   *
   * @throws IllegalArgumentException if the value is not an integer in {@code [min, max]}
   */
  int getInt(String key, int defaultValue, int min, int max);

  /**
   * Returns a duration setting, written as ISO-8601 ({@code PT0.1S}) or as a number with a unit
   * ({@code 100ms}, {@code 5s}, {@code 2m}, {@code 1h}).
   *
   * @throws IllegalArgumentException if the value does not parse or is outside {@code [min, max]}
   */
  Duration getDuration(String key, Duration defaultValue, Duration min, Duration max);

  /**
   * Returns a boolean setting ({@code true} or {@code false}).
   *
   * @throws IllegalArgumentException if the value is neither
   */
  boolean getBoolean(String key, boolean defaultValue);
}
