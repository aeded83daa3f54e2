package io.github.sqsconsumer.it;

import io.github.sqsconsumer.Message;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What handlers saw, recorded from inside them: how many ran at once, how often each message was handled,
 * and which deliveries succeeded. Messages are told apart by body (tests give each a unique one), because
 * a body is known before the queue assigns an id.
 *
 * <p>Thread-safe: handlers call it concurrently.
 */
final class Probe {
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger maxActive = new AtomicInteger();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Set<String> succeeded = ConcurrentHashMap.newKeySet();
  private final Set<String> succeededReceipts = ConcurrentHashMap.newKeySet();
  private final LongAdder handled = new LongAdder();

  /** A handler (or batch handler) starts; returns how many run now, this one included. */
  int enter() {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
    return now;
  }

  /** A handler ends. */
  void exit() {
    active.decrementAndGet();
  }

  /** Counts one handling of the message; returns which attempt this is, 1 for the first. */
  int attempt(Message message) {
    handled.increment();
    return attempts.computeIfAbsent(message.body(), k -> new AtomicInteger()).incrementAndGet();
  }

  /** The handler succeeded for this delivery; recorded before it returns, so before any delete. */
  void succeeded(Message message) {
    succeededReceipts.add(message.receiptHandle());
    succeeded.add(message.body());
  }

  /** Returns the most handlers that ran at once. */
  int maxActive() {
    return maxActive.get();
  }

  /** Returns how many handlers run now. */
  int active() {
    return active.get();
  }

  /** Returns how many times the message with this body was handled. */
  int attempts(String body) {
    AtomicInteger count = attempts.get(body);
    return count == null ? 0 : count.get();
  }

  /** Returns all handlings, repeats included. */
  long handled() {
    return handled.sum();
  }

  /** Returns the bodies of the messages handled successfully at least once; live view. */
  Set<String> succeeded() {
    return succeeded;
  }

  /** Returns the receipt handles of successful deliveries; live view. */
  Set<String> succeededReceipts() {
    return succeededReceipts;
  }
}
