package io.github.sqsconsumer;

/**
 * Handles one message: return normally for success, throw for failure.
 *
 * <p>Called by the worker's threads, <strong>concurrently</strong> for different messages (up to the
 * consumer's concurrency), so an implementation must be thread-safe. On a FIFO queue the messages of one
 * group are handled one at a time, in order. A failure is retried after the {@link RetryPolicy}'s delay;
 * throw {@link PermanentFailureException} to acknowledge and discard the message instead. On a FIFO
 * queue, when a message fails, the messages of its group received behind it are released unhandled, to
 * come back after it in order; that receive counts toward the queue's {@code maxReceiveCount} for them
 * too, so a head that keeps failing brings its followers toward the dead-letter queue as well.
 *
 * <p>The thread may be interrupted when the consumer is closed and the shutdown timeout ran out.
 */
@FunctionalInterface
public interface MessageHandler {

  /**
   * Handles the message.
   *
   * @param message the message, never null
   * @throws Exception any failure; the message is then retried (or discarded, see above)
   */
  void handle(Message message) throws Exception;
}
