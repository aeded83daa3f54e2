package io.github.sqsconsumer;

import java.util.List;
import org.slf4j.MDC;

/**
 * Puts the message id, the queue's name and the consumer's name into SLF4J's MDC while a handler runs,
 * and puts back what the keys held before (Consumer.Builder#mdc). Stateless, so thread-safe.
 */
final class MdcHook implements HandlerHook {
  /** What before() returns when none of the keys held anything: the usual case, with no allocation. */
  private static final Object NOTHING_BEFORE = new Object();
  /**
   * The most ids the message-id key carries for a batch, what one receive brings: a batch of 10,000 would
   * make every log line of its handler some 370 KB long. The rest are counted: {@code id1,...,id10 (+990 more)}.
   */
  static final int MAX_IDS = 10;

  private final String consumer;
  private final String queue;

  MdcHook(String consumer, String queue) {
    this.consumer = consumer;
    this.queue = queue;
  }

  @Override
  public Object before(List<Message> messages) {
    String id = MDC.get(Consumer.MDC_MESSAGE_ID);
    String queueBefore = MDC.get(Consumer.MDC_QUEUE);
    String consumerBefore = MDC.get(Consumer.MDC_CONSUMER);
    MDC.put(Consumer.MDC_MESSAGE_ID, messages.size() == 1 ? messages.get(0).id() : ids(messages));
    MDC.put(Consumer.MDC_QUEUE, queue);
    MDC.put(Consumer.MDC_CONSUMER, consumer);
    return id == null && queueBefore == null && consumerBefore == null
        ? NOTHING_BEFORE : new String[] {id, queueBefore, consumerBefore};
  }

  @Override
  public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
    if (state instanceof String[] before) {
      restore(Consumer.MDC_MESSAGE_ID, before[0]);
      restore(Consumer.MDC_QUEUE, before[1]);
      restore(Consumer.MDC_CONSUMER, before[2]);
    } else {
      MDC.remove(Consumer.MDC_MESSAGE_ID);
      MDC.remove(Consumer.MDC_QUEUE);
      MDC.remove(Consumer.MDC_CONSUMER);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  /** The ids of a batch joined by commas, at most {@link #MAX_IDS} of them, then how many more. */
  static String ids(List<Message> messages) {
    int shown = Math.min(messages.size(), MAX_IDS);
    StringBuilder ids = new StringBuilder(shown * 37 + 16);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        ids.append(',');
      }
      ids.append(messages.get(i).id());
    }
    if (messages.size() > shown) {
      ids.append(" (+").append(messages.size() - shown).append(" more)");
    }
    return ids.toString();
  }
}
