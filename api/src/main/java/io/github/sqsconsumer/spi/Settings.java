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

  /**
   * {@return the value for the key, trimmed, or empty if it is not set; never null}
   *
   * @param key the setting's key, such as {@code batch.maxWait}, without the {@code io.github.sqsconsumer.}
   *     prefix of its system property; never null
   */
  Optional<String> get(String key);

  /**
   * {@return an integer setting}
   *
   * @param key the setting's key, such as {@code batch.maxWait}, without the {@code io.github.sqsconsumer.}
   *     prefix of its system property; never null
   * @param defaultValue returned when the key is set neither in the builder nor as a system property
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @throws IllegalArgumentException if the value is not an integer in {@code [min, max]}
   */
  int getInt(String key, int defaultValue, int min, int max);

  /**
   * {@return a duration setting, written as ISO-8601 ({@code PT0.1S}), as a whole number with a unit
   * ({@code 100ms}, {@code 5s}, {@code 2m}, {@code 1h}), or as {@code 0}}
   *
   * @param key the setting's key, such as {@code batch.maxWait}, without the {@code io.github.sqsconsumer.}
   *     prefix of its system property; never null
   * @param defaultValue returned when the key is set neither in the builder nor as a system property;
   *     never null
   * @param min the shortest duration allowed; never null
   * @param max the longest duration allowed; never null
   * @throws IllegalArgumentException if the value does not parse or is outside {@code [min, max]}
   */
  Duration getDuration(String key, Duration defaultValue, Duration min, Duration max);

  /**
   * {@return a boolean setting ({@code true} or {@code false})}
   *
   * @param key the setting's key, such as {@code batch.maxWait}, without the {@code io.github.sqsconsumer.}
   *     prefix of its system property; never null
   * @param defaultValue returned when the key is set neither in the builder nor as a system property
   * @throws IllegalArgumentException if the value is neither
   */
  boolean getBoolean(String key, boolean defaultValue);
}
