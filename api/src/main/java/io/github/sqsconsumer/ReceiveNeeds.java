package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.ReceiveAttributes;
import java.util.Set;

/**
 * Which attributes a consumer's receives ask for: what the core reads, what the user's handler reads
 * ({@link Consumer.Builder#systemAttributeNames}, {@link Consumer.Builder#messageAttributeNames}) and what
 * each hook reads ({@link HandlerHook#systemAttributeNames()}, {@link HandlerHook#messageAttributeNames()}).
 */
final class ReceiveNeeds {
  /**
   * What the core reads whatever the user asked for: the receive count for the retry policy
   * ({@link Message#receiveCount()}) and the group that orders FIFO messages ({@link Message#groupId()}).
   */
  static final ReceiveAttributes CORE =
      new ReceiveAttributes(Set.of(Message.APPROXIMATE_RECEIVE_COUNT, Message.MESSAGE_GROUP_ID), Set.of());

  /**
   * The user's system attributes unless set: every one {@link Message} names a constant for, so its
   * accessors ({@link Message#sentTimestamp()} too) work as documented; SenderId, AWSTraceHeader and the
   * like only when asked for.
   */
  static final Set<String> DEFAULT_SYSTEM_ATTRIBUTES = Set.of(Message.APPROXIMATE_RECEIVE_COUNT,
      Message.SENT_TIMESTAMP, Message.APPROXIMATE_FIRST_RECEIVE_TIMESTAMP, Message.MESSAGE_GROUP_ID,
      Message.MESSAGE_DEDUPLICATION_ID, Message.SEQUENCE_NUMBER);

  /** The user's message attributes unless set: all, as a handler reading them expects. */
  static final Set<String> DEFAULT_MESSAGE_ATTRIBUTES = Set.of(ReceiveAttributes.ALL);

  private ReceiveNeeds() {}

  /**
   * Returns the union of the core's, the user's and every hook's attributes.
   *
   * @throws IllegalArgumentException if a hook names a blank attribute
   * @throws NullPointerException if a hook returns null, or a null name
   */
  static ReceiveAttributes of(ConsumerConfig config) {
    ReceiveAttributes all = CORE.union(config.receiveAttributes());
    for (HandlerHook hook : config.hooks()) {
      all = all.union(ReceiveAttributes.of(hook.systemAttributeNames(), hook.messageAttributeNames()));
    }
    return all;
  }
}
