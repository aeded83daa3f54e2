package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.time.Duration;

/**
 * Turns outcomes into queue calls: deletes and visibility changes, through {@link HarvesterContext#port()}.
 *
 * <p>Contract, which {@code HarvesterContractTest} checks for every implementation:
 * <ul>
 *   <li>each message given is reported exactly once to {@link HarvesterContext#callback()};</li>
 *   <li>batches never exceed {@link QueuePort#MAX_BATCH_SIZE} entries;</li>
 *   <li>transient failures (whole request or single entries) are retried with backoff, a bounded number of
 *       times; an invalid receipt handle is reported at once, never retried;</li>
 *   <li>memory is bounded: when its buffer is full, {@link #acknowledge} and {@link #release} wait;</li>
 *   <li>{@link #close} sends everything pending, then reports what it could not send as failed.</li>
 * </ul>
 *
 * <p>Thread-safe: worker threads call {@link #acknowledge} and {@link #release} concurrently; the core calls
 * {@link #close} once, after the worker has stopped.
 */
public interface Harvester {

  /**
   * Deletes the message, now or in a coming batch. Waits while the harvester's buffer is full. If
   * interrupted while waiting it still takes the message, and leaves the interrupt status set: a message
   * is never dropped.
   *
   * @param message never null
   * @throws IllegalStateException if the harvester is closed
   */
  void acknowledge(Message message);

  /**
   * Sets the message's visibility so that it comes back after {@code visibility} (zero: at once). Waits
   * like {@link #acknowledge}.
   *
   * @param message never null
   * @param visibility between zero and 12 hours
   * @throws IllegalStateException if the harvester is closed
   */
  void release(Message message, Duration visibility);

  /**
   * Sends everything pending and waits for the answers, up to {@code timeout}; then reports each message
   * it could not settle to {@link HarvesterCallback#failed}. Later calls return at once.
   *
   * @param timeout how long to wait, not negative
   * @throws InterruptedException if interrupted while waiting (what is unsent is still reported)
   */
  void close(Duration timeout) throws InterruptedException;
}
