package io.github.sqsconsumer;

import java.util.List;

/**
 * Handles the messages of one receive together and reports the outcome of each, like Lambda's
 * {@code ReportBatchItemFailures}.
 *
 * <p>Called by the worker's threads, <strong>concurrently</strong> for different batches: with a batch
 * handler the consumer's concurrency counts batches, not messages. On a FIFO queue a batch holds the
 * messages of one group in order, and the batches of one group run one at a time; there, as with
 * Lambda, a handler should stop at the first failure and report it and every later message as failed:
 * messages after the first failure are returned to the queue (and handled again, in order) even if the
 * result says they succeeded. Each such return, like that of the group's later batches, counts toward the
 * queue's {@code maxReceiveCount} though the messages were not handled (see {@link RetryPolicy}).
 */
@FunctionalInterface
public interface BatchHandler {

  /**
   * Handles the batch.
   *
   * @param messages between 1 and the configured batch size messages, never null, unmodifiable
   * @return which messages failed; messages it does not name succeeded. Never null
   * @throws Exception if the whole batch failed; every message is then retried (or discarded, when the
   *     exception is a {@link PermanentFailureException})
   */
  BatchResult handle(List<Message> messages) throws Exception;
}
