package io.github.sqsconsumer.jackson;

import io.github.sqsconsumer.BatchResult;
import java.util.List;

/**
 * Handles the messages of one receive whose bodies read as {@code T}, and reports the outcome of each, as
 * a {@link io.github.sqsconsumer.BatchHandler} does.
 *
 * <p>Called by the worker's threads, <strong>concurrently</strong> for different batches, so an
 * implementation must be thread-safe. Messages whose body did not read are settled by the adapter and are
 * not in the list; on a FIFO queue, when such a message is retried rather than discarded, the list stops
 * before it (its later messages come back in order).
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface JsonBatchHandler<T> {

  /**
   * Handles the batch.
   *
   * @param messages at least one message, in the order received; never null, unmodifiable
   * @return which messages failed, named by {@link JsonMessage#message()}; never null
   * @throws Exception if every message of the list failed; they are then retried (or discarded, for a
   *     {@link io.github.sqsconsumer.PermanentFailureException})
   */
  BatchResult handle(List<JsonMessage<T>> messages) throws Exception;
}
