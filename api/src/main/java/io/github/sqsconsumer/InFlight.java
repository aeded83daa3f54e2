package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.HarvesterCallback;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-flight registry: every message received and not yet settled (deleted, released, or given up on).
 *
 * <p>Concurrency: a concurrent map keyed by the delivery (message id + receipt handle). Pollers add,
 * harvester callbacks (any thread) remove, the heartbeat iterates (weakly consistent, which is enough:
 * a message added during a scan is young and needs no extension yet). Contract 2, nothing silently
 * dropped, is checked at close: what is still here then is logged as left to its visibility timeout.
 *
 * <p>It is also the harvester's callback: a settled message leaves the registry (which stops its
 * heartbeat) and the listener hears of it.
 */
final class InFlight implements HarvesterCallback {
  private final ConcurrentHashMap<Message, Entry> entries = new ConcurrentHashMap<>();
  private final ConsumerListener listener;

  InFlight(ConsumerListener listener) {
    this.listener = listener;
  }

  /** One message in flight. Deadline fields are written by the heartbeat only. */
  static final class Entry {
    final Message message;
    /** When the receive that brought it was sent: its visibility timeout started no earlier. */
    final long receivedNanos;
    /** When its visibility timeout runs out, as far as we know. */
    volatile long deadlineNanos;
    /** A visibility change for it is under way: do not send another. */
    volatile boolean extending;

    Entry(Message message, long receivedNanos, long deadlineNanos) {
      this.message = message;
      this.receivedNanos = receivedNanos;
      this.deadlineNanos = deadlineNanos;
    }
  }

  void add(Message message, long receivedNanos, long deadlineNanos) {
    entries.put(message, new Entry(message, receivedNanos, deadlineNanos));
  }

  /** Removes the message, if it is still here. */
  void remove(Message message) {
    entries.remove(message);
  }

  Collection<Entry> entries() {
    return entries.values();
  }

  int size() {
    return entries.size();
  }

  @Override
  public void acknowledged(Message message) {
    entries.remove(message);
    listener.onAcknowledged(message);
  }

  @Override
  public void released(Message message, Duration visibility) {
    entries.remove(message);
    listener.onReleased(message, visibility);
  }

  @Override
  public void failed(Message message, Throwable cause) {
    entries.remove(message);
    listener.onAcknowledgementFailed(message, cause);
  }
}
