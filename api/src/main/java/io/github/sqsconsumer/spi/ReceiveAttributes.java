package io.github.sqsconsumer.spi;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The attributes a receive asks the queue for: the names of the system attributes (such as
 * {@code ApproximateReceiveCount}) and of the message attributes (the sender's own, such as
 * {@code traceparent}) every received message should carry. SQS sends only the attributes a receive names;
 * the consumer asks for the union of what its core, its hooks and its user need
 * ({@link RunnerContext#receiveAttributes()}), and a runner sends that with every receive.
 *
 * <p>A name is either an attribute's exact name or {@link #ALL}, which asks for every attribute of its
 * kind; a message attribute name may also end in {@code .*} to ask for every message attribute with that
 * prefix (SQS's rule: {@code orders.*} matches {@code orders.id}). A set holding {@code All} (or {@code .*}
 * among the message attribute names) is kept as {@code {All}} alone.
 *
 * <p>Immutable and thread-safe.
 *
 * @param systemAttributeNames the system attribute names, sorted; never null, unmodifiable
 * @param messageAttributeNames the message attribute names, sorted; never null, unmodifiable
 */
public record ReceiveAttributes(Set<String> systemAttributeNames, Set<String> messageAttributeNames) {

  /** The name that asks for every attribute of its kind, as SQS spells it. */
  public static final String ALL = "All";

  /** Asks for no attribute at all. */
  public static final ReceiveAttributes NONE = new ReceiveAttributes(Set.of(), Set.of());

  /** Asks for every system attribute and every message attribute. */
  public static final ReceiveAttributes EVERYTHING = new ReceiveAttributes(Set.of(ALL), Set.of(ALL));

  /**
   * Checks and copies the names.
   *
   * @param systemAttributeNames never null; no name null or blank
   * @param messageAttributeNames never null; no name null or blank
   * @throws IllegalArgumentException if a name is blank
   * @throws NullPointerException if a set or a name is null
   */
  public ReceiveAttributes {
    systemAttributeNames = normalize("system", systemAttributeNames, false);
    messageAttributeNames = normalize("message", messageAttributeNames, true);
  }

  /**
   * Returns the attributes with these names.
   *
   * @param systemAttributeNames the system attribute names, never null
   * @param messageAttributeNames the message attribute names, never null
   * @return the attributes, never null
   * @throws IllegalArgumentException if a name is blank
   */
  public static ReceiveAttributes of(Collection<String> systemAttributeNames,
      Collection<String> messageAttributeNames) {
    return new ReceiveAttributes(Set.copyOf(systemAttributeNames), Set.copyOf(messageAttributeNames));
  }

  /**
   * Returns what this and {@code other} ask for together.
   *
   * @param other never null
   * @return the union, never null
   */
  public ReceiveAttributes union(ReceiveAttributes other) {
    Objects.requireNonNull(other, "other");
    if (other.equals(NONE) || other.equals(this)) {
      return this;
    }
    Set<String> system = new TreeSet<>(systemAttributeNames);
    system.addAll(other.systemAttributeNames);
    Set<String> message = new TreeSet<>(messageAttributeNames);
    message.addAll(other.messageAttributeNames);
    return new ReceiveAttributes(system, message);
  }

  /**
   * Returns whether a receive with these attributes brings the system attribute {@code name}.
   *
   * @param name an attribute's exact name, never null
   * @return true if asked for by name or by {@link #ALL}
   */
  public boolean includesSystemAttribute(String name) {
    return systemAttributeNames.contains(ALL) || systemAttributeNames.contains(name);
  }

  /**
   * Returns whether a receive with these attributes brings the message attribute {@code name}.
   *
   * @param name an attribute's exact name, never null
   * @return true if asked for by name, by {@link #ALL}, or by a prefix ending in {@code .*} that it starts with
   */
  public boolean includesMessageAttribute(String name) {
    if (messageAttributeNames.contains(ALL) || messageAttributeNames.contains(name)) {
      return true;
    }
    for (String asked : messageAttributeNames) {
      if (asked.endsWith(".*") && name.startsWith(asked.substring(0, asked.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the names and returns them sorted, in a hash set: a runner or a queue asks
   * {@link #includesSystemAttribute} for every attribute of every message, and a hash lookup costs one
   * comparison where a tree's costs several.
   */
  private static Set<String> normalize(String kind, Set<String> names, boolean prefixes) {
    Objects.requireNonNull(names, kind + "AttributeNames");
    Set<String> sorted = new TreeSet<>();
    for (String name : names) {
      Objects.requireNonNull(name, kind + " attribute name");
      if (name.isBlank()) {
        throw new IllegalArgumentException(kind + " attribute names must not be blank but one was '" + name + "'");
      }
      if (name.equals(ALL) || prefixes && name.equals(".*")) {
        return Set.of(ALL);
      }
      sorted.add(name);
    }
    return sorted.isEmpty() ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(sorted));
  }
}
