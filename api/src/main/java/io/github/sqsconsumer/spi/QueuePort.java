package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Acknowledges messages: the calls a harvester (and the core's heartbeat) make on the queue.
 *
 * <p>Thread-safe; every method returns at once and completes its future when the queue answered. A whole
 * request that fails completes exceptionally with a {@link QueueException}; a batch request that partly
 * fails completes normally with a {@link BatchReply} naming the failed entries by position, so duplicate
 * messages in one batch can never fail the whole request.
 *
 * <p>Every future must complete: a port bounds its requests with timeouts of its own. The core hands the
 * harvester and its visibility heartbeat the runner's port behind a deadline: a delete or visibility change
 * still unanswered after two minutes (an extension of the heartbeat: after half the visibility timeout)
 * fails as a transient failure, and its future is cancelled.
 */
public interface QueuePort {
  /** The most entries one batch request may carry: {@link Limits#MAX_BATCH_SIZE}, named for port callers. */
  int MAX_BATCH_SIZE = Limits.MAX_BATCH_SIZE;

  /**
   * Deletes up to {@link #MAX_BATCH_SIZE} messages in one request.
   *
   * @param messages 1 to 10 messages, never null
   * @return the reply, failures keyed by position in {@code messages}
   */
  CompletableFuture<BatchReply> deleteBatch(List<Message> messages);

  /**
   * Changes the visibility of up to {@link #MAX_BATCH_SIZE} messages in one request.
   *
   * @param changes 1 to 10 changes, never null
   * @return the reply, failures keyed by position in {@code changes}
   */
  CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes);

  /**
   * Deletes one message.
   *
   * @param message the message whose receipt handle to delete; never null
   * @return completes when the queue deleted it, or exceptionally with a {@link QueueException}; never null
   */
  CompletableFuture<Void> delete(Message message);

  /**
   * Sets one message's visibility timeout, from now, to {@code visibility} (zero: visible at once).
   *
   * @param message the message whose receipt handle to change; never null
   * @param visibility from now until the message is visible again, 0 to 12 hours; never null
   * @return completes when the queue accepted the change, or exceptionally with a {@link QueueException};
   *     never null
   */
  CompletableFuture<Void> changeVisibility(Message message, Duration visibility);
}
