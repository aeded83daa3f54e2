package io.github.sqsconsumer.testkit;

import java.util.PriorityQueue;

/** A message group of a FIFO {@link InMemoryQueue}; guarded by the queue's lock. */
final class QueueGroup {
  final String id;
  final PriorityQueue<QueueEntry> visible = new PriorityQueue<>(QueueEntry.BY_SEQUENCE);
  int inFlight; // [inFlight > 0 => locked: not in available]
  boolean available;
  long key; // sequence of the oldest visible entry when it joined available

  QueueGroup(String id) {
    this.id = id;
  }
}
