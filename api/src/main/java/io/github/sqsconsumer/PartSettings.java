package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A consumer's part settings, fixed at {@code build()}: the builder's settings over the system properties
 * {@code io.github.sqsconsumer.<key>} of that moment, each checked to be a key a chosen part reads (its
 * provider's {@code settingKeys()}). The rules, also in {@link Consumer.Builder#setting}'s Javadoc:
 * <ul>
 *   <li>a builder setting belongs to a chosen part: the text before its first dot names the chosen runner,
 *       worker or harvester, and that part lists the key; anything else fails, since a setting in code
 *       that nothing reads is a mistake;</li>
 *   <li>a system property {@code io.github.sqsconsumer.<part>.<name>} whose part is chosen must be a key
 *       that part lists (a misspelling fails); those of parts not chosen are ignored, since one JVM may run
 *       consumers made of different parts and a deployment may set them for all;</li>
 *   <li>other system properties under the prefix (such as {@code io.github.sqsconsumer.worker}, which
 *       chooses the worker) are not settings.</li>
 * </ul>
 * Immutable and thread-safe; the typed getters parse and check with {@link Settings#of}.
 */
final class PartSettings implements Settings {

  /** One chosen part: its role ("runner", "worker", "harvester"), its name and the keys it reads. */
  record Part(String role, String name, Set<String> keys) {
    Part {
      Objects.requireNonNull(keys, () -> "settingKeys() of the " + role + " " + name);
      keys = Set.copyOf(keys);
    }

    @Override
    public String toString() {
      return role + " " + name;
    }
  }

  private final Map<String, String> values;
  private final Settings parsed;

  private PartSettings(Map<String, String> values) {
    this.values = Map.copyOf(values);
    this.parsed = Settings.of(this.values);
  }

  /**
   * Returns the settings of these parts, checked.
   *
   * @param given the builder's settings
   * @param system the system properties, read once here
   * @throws IllegalArgumentException naming a key no chosen part reads, and the keys they do read
   */
  static PartSettings of(Map<String, String> given, Properties system, List<Part> parts) {
    Map<String, List<Part>> byName = new LinkedHashMap<>();
    for (Part part : parts) {
      byName.computeIfAbsent(part.name(), name -> new ArrayList<>()).add(part);
    }
    Map<String, String> values = new TreeMap<>();
    for (String property : system.stringPropertyNames()) {
      if (!property.startsWith(Providers.PROPERTY_PREFIX)) {
        continue;
      }
      String key = property.substring(Providers.PROPERTY_PREFIX.length());
      List<Part> owners = byName.get(prefixOf(key));
      String value = system.getProperty(property);
      if (owners == null || value == null) {
        continue; // not a setting of a chosen part: ignored (see the class Javadoc)
      }
      requireKnown(key, " (system property " + property + ")", owners);
      values.put(key, value);
    }
    for (Map.Entry<String, String> setting : given.entrySet()) {
      String key = setting.getKey();
      List<Part> owners = byName.get(prefixOf(key));
      Checks.requireArgument(owners != null,
          "setting %s is read by none of the chosen parts (%s), which read %s; a setting for a part that "
              + "only some deployments choose belongs in the system property %s<key>, ignored where that "
              + "part is not chosen",
          key, parts.stream().map(Part::toString).collect(Collectors.joining(", ")), describe(parts),
          Providers.PROPERTY_PREFIX);
      requireKnown(key, "", owners);
      values.put(key, setting.getValue());
    }
    return new PartSettings(values);
  }

  /** Returns the text before the first dot, or null if there is none (then the key names no part). */
  private static String prefixOf(String key) {
    int dot = key.indexOf('.');
    return dot > 0 ? key.substring(0, dot) : null;
  }

  private static void requireKnown(String key, String source, List<Part> owners) {
    Checks.requireArgument(owners.stream().anyMatch(part -> part.keys().contains(key)),
        "unknown setting %s%s for the %s, which reads %s", key, source,
        owners.stream().map(Part::toString).collect(Collectors.joining(" and the ")), describe(owners));
  }

  private static String describe(Collection<Part> parts) {
    TreeSet<String> keys = new TreeSet<>();
    parts.forEach(part -> keys.addAll(part.keys()));
    return keys.isEmpty() ? "no settings" : String.join(", ", keys);
  }

  @Override
  public Optional<String> get(String key) {
    return values.containsKey(key) ? parsed.get(key) : Optional.empty();
  }

  @Override
  public int getInt(String key, int defaultValue, int min, int max) {
    return values.containsKey(key) ? parsed.getInt(key, defaultValue, min, max) : defaultValue;
  }

  @Override
  public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max) {
    return values.containsKey(key) ? parsed.getDuration(key, defaultValue, min, max) : defaultValue;
  }

  @Override
  public boolean getBoolean(String key, boolean defaultValue) {
    return values.containsKey(key) ? parsed.getBoolean(key, defaultValue) : defaultValue;
  }

  @Override
  public String toString() {
    return "Settings" + values.keySet(); // keys only: a value may be a secret
  }
}
