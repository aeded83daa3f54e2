package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Settings;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link HarvesterContext} for tests: a port, a callback, a concurrency and settings from a map.
 *
 * <p>Its settings are the consumer's own ({@link Settings#of}), so a part's tests check the real parsing
 * and error wording. Immutable and thread-safe.
 *
 * @param consumerName for thread names
 * @param port where the harvester sends its requests
 * @param callback where it reports
 * @param concurrency the consumer's concurrency, for sizing
 * @param values the settings by key
 */
public record HarvesterTestContext(String consumerName, QueuePort port, HarvesterCallback callback,
    int concurrency, Map<String, String> values) implements HarvesterContext {
  /** Checks and copies the values. */
  public HarvesterTestContext {
    Objects.requireNonNull(consumerName, "consumerName");
    Objects.requireNonNull(port, "port");
    Objects.requireNonNull(callback, "callback");
    values = Map.copyOf(values);
  }

  @Override
  public Settings settings() {
    return Settings.of(values);
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.empty();
  }
}
