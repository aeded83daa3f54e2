package io.github.sqsconsumer.runner.sqs;

import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.Settings;
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
    return Settings.of(values); // the consumer's own parsing and wording
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.ofNullable(components.get(type)).map(type::cast);
  }
}
