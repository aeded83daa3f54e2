package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.MessageAttribute;
import java.util.Comparator;
import java.util.Map;

/** One message of an {@link InMemoryQueue} and where it is; all mutable fields guarded by the queue's lock. */
final class QueueEntry {
  /** By sequence: the order messages were sent in. */
  static final Comparator<QueueEntry> BY_SEQUENCE = (a, b) -> Long.compare(a.seq, b.seq);

  /** Where an entry is. */
  enum State {
    /** Sent with a delay that has not yet elapsed: in {@code timed}. */
    DELAYED,
    /** Receivable: in {@code visible} or in its group. */
    VISIBLE,
    /** Delivered, not deleted, visibility not yet expired: in {@code inFlight} and {@code timed}. */
    IN_FLIGHT,
    /** Deleted with its receipt handle. */
    DELETED,
    /** Moved to the dead-letter queue. */
    MOVED,
    /** Removed by {@link InMemoryQueue#purge()}. */
    PURGED
  }

  final String id;
  final long seq;
  final String body;
  final Map<String, String> attributes;
  final Map<String, MessageAttribute> messageAttributes;
  final String sentTimestamp;
  final QueueGroup group; // null on standard queues
  State state;
  long visibleAt; // nanoTime; meaningful while IN_FLIGHT or DELAYED
  long requestedAt; // nanoTime the receive that delivered it arrived; meaningful while IN_FLIGHT
  String receipt; // while IN_FLIGHT
  TimedEntries.Stamp timed; // its live stamp while IN_FLIGHT or DELAYED: see TimedEntries
  int receiveCount;
  String firstReceiveTimestamp;
  int deliveries;

  QueueEntry(String id, long seq, String body, Map<String, String> attributes,
      Map<String, MessageAttribute> messageAttributes, String sentTimestamp, QueueGroup group) {
    this.id = id;
    this.seq = seq;
    this.body = body;
    this.attributes = attributes;
    this.messageAttributes = messageAttributes;
    this.sentTimestamp = sentTimestamp;
    this.group = group;
  }

  String sequenceNumber() {
    return Long.toString(seq);
  }
}
