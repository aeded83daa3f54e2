package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Settings from a map, falling back to system properties {@code io.github.sqsconsumer.<key>}. */
final class MapSettings implements Settings {
  private static final String PROPERTY_PREFIX = "io.github.sqsconsumer.";
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  private final Map<String, String> values;

  MapSettings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  @Override
  public Optional<String> get(String key) {
    String value = values.get(key);
    if (value == null) {
      value = System.getProperty(PROPERTY_PREFIX + key);
    }
    return Optional.ofNullable(value).map(String::trim);
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
    requireArgument(value >= min && value <= max,
        "setting %s must be between %d and %d but was %d", key, min, max, value);
    return value;
  }

  @Override
  public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max) {
    Optional<String> raw = get(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Duration value = parseDuration(key, raw.get());
    requireArgument(value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
        "setting %s must be between %s and %s but was %s", key, min, max, value);
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

  static Duration parseDuration(String key, String text) {
    if (text.strip().equals("0")) {
      return Duration.ZERO; // zero needs no unit: "batch.maxWait=0" means what it says
    }
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

  private static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }
}
