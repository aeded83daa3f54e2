package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** A receive waiting for messages of an {@link InMemoryQueue}. */
final class QueueWaiter {
  final int max;
  final long visibility; // nanos
  final long requestedAt; // nanoTime the request arrived: SQS's 12 hours count from there
  final ReceiveAttributes attributes; // what the messages carry
  final CompletableFuture<List<Message>> future = new CompletableFuture<>();
  ScheduledFuture<?> deadline; // set under the queue's lock before the waiter is visible to other threads

  QueueWaiter(int max, long visibility, long requestedAt, ReceiveAttributes attributes) {
    this.max = max;
    this.attributes = attributes;
    this.visibility = visibility;
    this.requestedAt = requestedAt;
  }
}
