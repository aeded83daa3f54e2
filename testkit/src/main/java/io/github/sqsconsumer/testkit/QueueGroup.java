package io.github.sqsconsumer.testkit;

/** A message group of a FIFO {@link InMemoryQueue}; guarded by the queue's lock. */
final class QueueGroup {
  final String id;
  final SequenceQueue visible = new SequenceQueue();
  int inFlight; // [inFlight > 0 => locked: not in available]
  boolean available;
  long key; // sequence of the oldest visible entry when it joined available

  QueueGroup(String id) {
    this.id = id;
  }
}
