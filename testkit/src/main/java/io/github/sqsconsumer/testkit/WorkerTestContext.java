package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.WorkerContext;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link WorkerContext} for tests: a consumer name, a concurrency and settings from a map.
 *
 * <p>Its settings are the consumer's own ({@link Settings#of}), so a part's tests check the real parsing
 * and error wording. Immutable and thread-safe.
 *
 * @param consumerName for thread names
 * @param concurrency the concurrency limit; not checked here, so tests can hand a provider a bad one
 * @param values the settings by key
 */
public record WorkerTestContext(String consumerName, int concurrency, Map<String, String> values)
    implements WorkerContext {
  /** Checks and copies the values. */
  public WorkerTestContext {
    Objects.requireNonNull(consumerName, "consumerName");
    values = Map.copyOf(values);
  }

  /**
   * {@return a context named {@code test} without settings}
   *
   * @param concurrency the concurrency limit; not checked here
   */
  public static WorkerTestContext of(int concurrency) {
    return new WorkerTestContext("test", concurrency, Map.of());
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
