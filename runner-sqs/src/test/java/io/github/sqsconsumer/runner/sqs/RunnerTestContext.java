package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A runner context for tests: settings from a map, components from a map. */
record RunnerTestContext(String queue, Map<String, String> values, Map<Class<?>, Object> components)
    implements RunnerContext {

  RunnerTestContext {
    values = Map.copyOf(values);
    components = Map.copyOf(components);
  }

  static RunnerTestContext of(String queue, Map<String, String> settings) {
    return new RunnerTestContext(queue, settings, Map.of());
  }

  <T> RunnerTestContext with(Class<T> type, T component) {
    Map<Class<?>, Object> all = new HashMap<>(components);
    all.put(type, component);
    return new RunnerTestContext(queue, values, all);
  }

  @Override
  public String consumerName() {
    return "test";
  }

  @Override
  public Settings settings() {
    return new MapSettings(values);
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.ofNullable(components.get(type)).map(type::cast);
  }

  private record MapSettings(Map<String, String> values) implements Settings {
    @Override
    public Optional<String> get(String key) {
      return Optional.ofNullable(values.get(key));
    }

    @Override
    public int getInt(String key, int defaultValue, int min, int max) {
      String value = values.get(key);
      if (value == null) {
        return defaultValue;
      }
      int parsed;
      try {
        parsed = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + " must be an integer between " + min + " and " + max
            + " but was '" + value + "'", e);
      }
      if (parsed < min || parsed > max) {
        throw new IllegalArgumentException(key + " must be between " + min + " and " + max + " but was " + parsed);
      }
      return parsed;
    }

    @Override
    public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max) {
      String value = values.get(key);
      return value == null ? defaultValue : Duration.parse(value);
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
      String value = values.get(key);
      return value == null ? defaultValue : Boolean.parseBoolean(value);
    }
  }
}
