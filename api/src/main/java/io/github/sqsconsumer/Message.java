package io.github.sqsconsumer;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A received message: the library's own immutable view, independent of any SDK.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the body or the receipt handle, so a
 * message may be logged safely.
 */
public final class Message {
  /** System attribute: how many times the message was received, counting this time. */
  public static final String APPROXIMATE_RECEIVE_COUNT = "ApproximateReceiveCount";
  /** System attribute: when the message was sent, in epoch milliseconds. */
  public static final String SENT_TIMESTAMP = "SentTimestamp";
  /** System attribute: when the message was first received, in epoch milliseconds. */
  public static final String APPROXIMATE_FIRST_RECEIVE_TIMESTAMP = "ApproximateFirstReceiveTimestamp";
  /** System attribute of FIFO queues: the message group. */
  public static final String MESSAGE_GROUP_ID = "MessageGroupId";
  /** System attribute of FIFO queues: the deduplication id. */
  public static final String MESSAGE_DEDUPLICATION_ID = "MessageDeduplicationId";
  /** System attribute of FIFO queues: the sequence number. */
  public static final String SEQUENCE_NUMBER = "SequenceNumber";

  private final String id;
  private final String body;
  private final String receiptHandle;
  private final Map<String, String> attributes;
  private final Map<String, MessageAttribute> messageAttributes;
  private final String groupId;
  /**
   * The consumer's own bookkeeping, never part of the message's value: its entry in the in-flight registry
   * ({@link InFlight}), written by the poller that registers it before the message goes anywhere else, so
   * settling it needs no lookup. Not in equals, hashCode or toString.
   */
  InFlight.Entry registration;

  private Message(Builder builder) {
    this.id = Objects.requireNonNull(builder.id, "id");
    this.body = Objects.requireNonNull(builder.body, "body");
    this.receiptHandle = Objects.requireNonNull(builder.receiptHandle, "receiptHandle");
    this.attributes = builder.attributes.toMap();
    this.messageAttributes = builder.messageAttributes.toMap();
    this.groupId = attributes.get(MESSAGE_GROUP_ID);
  }

  /** {@return a new, empty builder; used by runners and tests} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the queue's id of this message; never null} Redelivery keeps the id. */
  public String id() {
    return id;
  }

  /** {@return the body; never null, may be empty} */
  public String body() {
    return body;
  }

  /**
   * {@return the receipt handle of this delivery: an opaque token that only the runner which received the
   * message understands} A redelivery has a new handle. Never null; never logged.
   */
  public String receiptHandle() {
    return receiptHandle;
  }

  /**
   * {@return the system attributes by name (see the constants of this class): those the consumer asked for
   * ({@link Consumer.Builder#systemAttributeNames}); never null, unmodifiable}
   */
  public Map<String, String> attributes() {
    return attributes;
  }

  /**
   * {@return the user's message attributes by name: those the consumer asked for (all unless
   * {@link Consumer.Builder#messageAttributeNames} narrowed them); never null, unmodifiable}
   */
  public Map<String, MessageAttribute> messageAttributes() {
    return messageAttributes;
  }

  /** {@return how many times this message has been received, counting this time; 1 when unknown} */
  public int receiveCount() {
    String value = attributes.get(APPROXIMATE_RECEIVE_COUNT);
    if (value == null) {
      return 1;
    }
    try {
      return Math.max(1, Integer.parseInt(value));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** {@return when the message was sent, or empty if the queue did not say} */
  public Optional<Instant> sentTimestamp() {
    String value = attributes.get(SENT_TIMESTAMP);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochMilli(Long.parseLong(value)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** {@return the FIFO message group, or empty for a standard queue} */
  public Optional<String> groupId() {
    return Optional.ofNullable(groupId);
  }

  /** {@return a new builder holding this message's values, to derive a changed copy} */
  public Builder toBuilder() {
    return builder().id(id).body(body).receiptHandle(receiptHandle)
        .attributes(attributes).messageAttributes(messageAttributes);
  }

  /** Equal when id and receipt handle are equal: the same delivery of the same message. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Message that && id.equals(that.id) && receiptHandle.equals(that.receiptHandle);
  }

  @Override
  public int hashCode() {
    return 31 * id.hashCode() + receiptHandle.hashCode();
  }

  /** Shows the id, the group and the receive count: never the body or the receipt handle. */
  @Override
  public String toString() {
    return "Message[id=" + id + (groupId != null ? ", group=" + groupId : "")
        + ", receiveCount=" + receiveCount() + "]";
  }

  /** Builds a {@link Message}; not thread-safe. */
  public static final class Builder {
    private String id;
    private String body;
    private String receiptHandle;
    private final Pairs<MessageAttribute> messageAttributes = new Pairs<>();
    private final Pairs<String> attributes = new Pairs<>();

    private Builder() {}

    /**
     * Sets the message id; required.
     *
     * @param id the queue's id of the message; null fails at {@link #build()}
     * @return this builder
     */
    public Builder id(String id) {
      this.id = id;
      return this;
    }

    /**
     * Sets the body; required.
     *
     * @param body the body, may be empty; null fails at {@link #build()}
     * @return this builder
     */
    public Builder body(String body) {
      this.body = body;
      return this;
    }

    /**
     * Sets the receipt handle; required.
     *
     * @param receiptHandle the runner's token for this delivery; null fails at {@link #build()}
     * @return this builder
     */
    public Builder receiptHandle(String receiptHandle) {
      this.receiptHandle = receiptHandle;
      return this;
    }

    /**
     * Adds one system attribute.
     *
     * @param name the attribute's name, such as {@link Message#SENT_TIMESTAMP}; never null
     * @param value its value as the queue gave it; never null, replaces an earlier value for the name
     * @return this builder
     */
    public Builder attribute(String name, String value) {
      attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds all these system attributes.
     *
     * @param values system attributes by name; never null, nor any name or value in it
     * @return this builder
     */
    public Builder attributes(Map<String, String> values) {
      values.forEach(this::attribute);
      return this;
    }

    /**
     * Adds one message attribute.
     *
     * @param name the attribute's name; never null
     * @param value its value; never null, replaces an earlier value for the name
     * @return this builder
     */
    public Builder messageAttribute(String name, MessageAttribute value) {
      messageAttributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Adds all these message attributes.
     *
     * @param values message attributes by name; never null, nor any name or value in it
     * @return this builder
     */
    public Builder messageAttributes(Map<String, MessageAttribute> values) {
      values.forEach(this::messageAttribute);
      return this;
    }

    /**
     * {@return a new immutable message with the values set so far; never null}
     *
     * @throws NullPointerException if id, body or receipt handle is missing
     */
    public Message build() {
      return new Message(this);
    }
  }

  /**
   * A builder's attributes: names and values side by side in one array, a later value for a name replacing
   * the earlier. A message carries a handful, so a linear search costs less than hashing; {@link #toMap()}
   * keeps the pairs as they are, in an immutable map that searches them the same way, instead of copying
   * them into entries and a hash table for every message received.
   */
  private static final class Pairs<V> {
    private Object[] items = new Object[0];
    private int size; // names and values: 2 x the number of attributes

    void put(String name, V value) {
      for (int i = 0; i < size; i += 2) {
        if (items[i].equals(name)) {
          items[i + 1] = value;
          return;
        }
      }
      if (size == items.length) {
        items = Arrays.copyOf(items, Math.max(8, 2 * size));
      }
      items[size++] = name;
      items[size++] = value;
    }

    Map<String, V> toMap() {
      return size == 0 ? Map.of() : new PairMap<>(Arrays.copyOf(items, size));
    }
  }

  /**
   * An immutable map over names and values side by side (see Pairs): get and containsKey search linearly,
   * the rest is AbstractMap's (equals, hashCode and toString as every map's). Never holds null; asking for
   * a null key throws, as {@link Map#of()} does.
   */
  private static final class PairMap<V> extends AbstractMap<String, V> {
    private final Object[] items; // never changed after construction

    PairMap(Object[] items) {
      this.items = items;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
      Objects.requireNonNull(key, "key");
      for (int i = 0; i < items.length; i += 2) {
        if (items[i].equals(key)) {
          return (V) items[i + 1];
        }
      }
      return null;
    }

    @Override
    public boolean containsKey(Object key) {
      return get(key) != null;
    }

    @Override
    public int size() {
      return items.length / 2;
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Entry<String, V>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < items.length;
            }

            @Override
            @SuppressWarnings("unchecked")
            public Entry<String, V> next() {
              if (next >= items.length) {
                throw new NoSuchElementException();
              }
              Entry<String, V> entry = Map.entry((String) items[next], (V) items[next + 1]);
              next += 2;
              return entry;
            }
          };
        }

        @Override
        public int size() {
          return items.length / 2;
        }
      };
    }
  }
}
