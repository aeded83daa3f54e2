package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Runner} over an {@link InMemoryQueue}: every call goes straight to the queue, which is
 * thread-safe, so this class holds no state of its own. Its messages carry only the attributes the consumer
 * asks for (RunnerContext#receiveAttributes), as from SQS. It never closes the queue: the test owns it. Not
 * final: {@link InMemoryQueueUnderTest} holds its replies by overriding {@link #receive}.
 */
class InMemoryRunner implements Runner {
  /** The URL scheme {@link #open()} reports; the consumer's queue may be given with it or as a bare name. */
  static final String SCHEME = "memory://";

  private final InMemoryQueue queue;
  private final String requested;
  private final ReceiveAttributes attributes;

  InMemoryRunner(InMemoryQueue queue, String requested, ReceiveAttributes attributes) {
    this.queue = queue;
    this.requested = requested;
    this.attributes = attributes;
  }

  /**
   * Checks that the consumer asked for this queue, by name or as {@code memory://<name>}.
   *
   * @throws QueueException of kind FATAL if it asked for another one, so tests can take the missing-queue
   *     path without a server
   */
  @Override
  public QueueInfo open() {
    String url = SCHEME + queue.name();
    if (!requested.equals(queue.name()) && !requested.equals(url)) {
      throw new QueueException(QueueException.Kind.FATAL, "AWS.SimpleQueueService.NonExistentQueue",
          "queue '" + requested + "' does not exist: the in-memory queue given to the consumer is named '"
              + queue.name() + "'", null);
    }
    return new QueueInfo(url, queue.isFifo(), queue.visibilityTimeout());
  }

  @Override
  public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout) {
    return queue.receive(maxMessages, waitTime, visibilityTimeout, attributes);
  }

  @Override
  public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
    return queue.deleteBatch(messages);
  }

  @Override
  public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
    return queue.changeVisibilityBatch(changes);
  }

  @Override
  public CompletableFuture<Void> delete(Message message) {
    return queue.delete(message);
  }

  @Override
  public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
    return queue.changeVisibility(message, visibility);
  }

  /** Nothing to release: the queue belongs to the test that made it. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "InMemoryRunner[" + queue.name() + "]";
  }
}
