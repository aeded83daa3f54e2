package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.WorkerContext;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link WorkerContext} for tests: a consumer name, a concurrency and settings from a map.
 *
 * <p>Its settings parse and validate like the consumer's ({@code 100ms}, {@code 5s}, ISO-8601; range
 * errors name the key, the range and the value in the same words), but read no system properties, so
 * tests do not leak into each other. Immutable and thread-safe.
 *
 * @param consumerName for thread names
 * @param concurrency the concurrency limit; not checked here, so tests can hand a provider a bad one
 * @param values the settings by key
 */
public record WorkerTestContext(String consumerName, int concurrency, Map<String, String> values)
    implements WorkerContext {
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  /** Checks and copies the values. */
  public WorkerTestContext {
    Objects.requireNonNull(consumerName, "consumerName");
    values = Map.copyOf(values);
  }

  /** Returns a context named {@code test} without settings. */
  public static WorkerTestContext of(int concurrency) {
    return new WorkerTestContext("test", concurrency, Map.of());
  }

  @Override
  public Settings settings() {
    return new MapSettings(values);
  }

  @Override
  public <T> Optional<T> component(Class<T> type) {
    return Optional.empty();
  }

  private record MapSettings(Map<String, String> values) implements Settings {
    @Override
    public Optional<String> get(String key) {
      return Optional.ofNullable(values.get(key)).map(String::trim);
    }

    @Override
    public int getInt(String key, int defaultValue, int min, int max) {
      Optional<String> raw = get(key);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      int value;
      try {
        value = Integer.parseInt(raw.get());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(String.format(
            "setting %s must be an integer between %d and %d but was '%s'", key, min, max, raw.get()), e);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException(String.format(
            "setting %s must be between %d and %d but was %d", key, min, max, value));
      }
      return value;
    }

    @Override
    public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max) {
      Optional<String> raw = get(key);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      Duration value = parse(key, raw.get());
      if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
        throw new IllegalArgumentException(String.format(
            "setting %s must be between %s and %s but was %s", key, min, max, value));
      }
      return value;
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
      Optional<String> raw = get(key);
      if (raw.isEmpty()) {
        return defaultValue;
      }
      return switch (raw.get().toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException(String.format(
            "setting %s must be true or false but was '%s'", key, raw.get()));
      };
    }

    private static Duration parse(String key, String text) {
      Matcher m = SHORT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
      if (m.matches()) {
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> throw new AssertionError(m.group(2));
        };
      }
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(String.format(
            "setting %s must be a duration such as 100ms, 5s, 2m, 1h or PT0.5S but was '%s'", key, text), e);
      }
    }
  }
}
