package io.github.sqsconsumer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the provider of one part with {@link ServiceLoader} and chooses it: by name, or the only one.
 * Never "the first": ServiceLoader's order is not a contract.
 */
final class Providers {
  private static final Logger LOG = LoggerFactory.getLogger(Providers.class);
  static final String PROPERTY_PREFIX = "io.github.sqsconsumer.";

  private Providers() {}

  /**
   * Chooses a provider.
   *
   * @param part the part's name in messages: "runner", "worker", "harvester"
   * @param chosen the name the builder chose, or null to read the system property, or else take the only one
   * @param modules the artifacts that provide this part, for the "add one" hint
   */
  static <P> P choose(Class<P> type, Function<P, String> nameOf, String part, String chosen, String modules) {
    return choose(load(type), nameOf, part, chosen, modules);
  }

  /** Chooses among the providers found; package-private for tests. */
  static <P> P choose(List<P> found, Function<P, String> nameOf, String part, String chosen, String modules) {
    TreeMap<String, P> byName = new TreeMap<>();
    for (P provider : found) {
      String name = nameOf.apply(provider);
      P previous = byName.putIfAbsent(name, provider);
      if (previous != null) {
        throw new ConsumerException(String.format(
            "two %ss are named '%s': %s and %s; remove one of them from the module path or class path",
            part, name, previous.getClass().getName(), provider.getClass().getName()));
      }
    }
    LOG.debug("{}s found: {}", part, byName.keySet());
    String wanted = chosen != null ? chosen : System.getProperty(PROPERTY_PREFIX + part);
    if (wanted != null) {
      P provider = byName.get(wanted);
      if (provider == null) {
        throw new ConsumerException(String.format("no %s named '%s'; found: %s",
            part, wanted, byName.isEmpty() ? "none (add " + modules + ")" : describe(byName, nameOf)));
      }
      return provider;
    }
    if (byName.isEmpty()) {
      throw new ConsumerException(String.format(
          "no %s found on the module path or class path; add %s", part, modules));
    }
    if (byName.size() > 1) {
      throw new ConsumerException(String.format(
          "several %ss found: %s; choose one with Consumer.Builder.%s(name) or the system property %s%s",
          part, describe(byName, nameOf), part, PROPERTY_PREFIX, part));
    }
    return byName.firstEntry().getValue();
  }

  private static <P> String describe(TreeMap<String, P> byName, Function<P, String> nameOf) {
    return byName.values().stream()
        .map(p -> nameOf.apply(p) + " (" + p.getClass().getName() + ")")
        .collect(Collectors.joining(", "));
  }

  private static <P> List<P> load(Class<P> type) {
    List<P> found = new ArrayList<>();
    Iterator<P> it = ServiceLoader.load(type).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        P provider = it.next();
        LOG.debug("found {} {} in {}", type.getSimpleName(), provider.getClass().getName(),
            provider.getClass().getModule());
        found.add(provider);
      } catch (ServiceConfigurationError e) {
        // one broken provider must not hide the others; it is reported and skipped
        LOG.warn("skipping a {} that could not be loaded: {}", type.getSimpleName(), e.toString());
      }
    }
    return found;
  }
}
