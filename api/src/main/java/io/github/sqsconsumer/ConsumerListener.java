package io.github.sqsconsumer;

import java.time.Duration;

/**
 * Receives the consumer's events, for metrics and tracing. Every method has a no-op default, so an
 * implementation overrides only what it needs.
 *
 * <p>A consumer may have several listeners ({@code Consumer.Builder#listener}): each hears every event, in
 * the order they were added.
 *
 * <p>Methods are called on the consumer's own threads (poll, worker and harvester threads),
 * <strong>concurrently</strong>, on the hot path: keep them fast and non-blocking. Whatever a listener throws,
 * an {@link Error} too, is logged at WARN (ERROR for a {@link VirtualMachineError}) and otherwise ignored: it
 * never changes what happens to a message, nor stops or slows the consumer.
 */
public interface ConsumerListener {

  /** The no-op listener. */
  ConsumerListener NOOP = new ConsumerListener() {};

  /**
   * The message was received from the queue.
   *
   * @param message the message; never null
   */
  default void onReceived(Message message) {}

  /**
   * The handler returned normally for the message, after {@code handlerTime}.
   *
   * @param message the message; never null
   * @param handlerTime how long the handler ran; never null
   */
  default void onSucceeded(Message message, Duration handlerTime) {}

  /**
   * The handler failed for the message.
   *
   * @param message the message; never null
   * @param cause what the handler threw, or a {@link HandlerTimeoutException}; never null
   * @param retryDelay when the message comes back, or null when it is left to its visibility timeout or
   *     acknowledged anyway ({@link AcknowledgeMode#ALWAYS})
   */
  default void onFailed(Message message, Throwable cause, Duration retryDelay) {}

  /**
   * The handler failed for good ({@link PermanentFailureException}); the message is acknowledged.
   *
   * @param message the message; never null
   * @param cause the {@link PermanentFailureException} the handler threw; never null
   */
  default void onDiscarded(Message message, Throwable cause) {}

  /**
   * The message was deleted from the queue.
   *
   * @param message the message; never null
   */
  default void onAcknowledged(Message message) {}

  /**
   * The message was deleted from the queue, {@code sinceReceived} after the receive that brought it was
   * sent (the receive's round trip, the wait for a handler, the handler and the wait for the delete). The
   * consumer calls this one; the default calls {@link #onAcknowledged(Message)}, so a listener overrides
   * whichever it needs.
   *
   * @param message the message; never null
   * @param sinceReceived from sending the receive to the delete's success; never null
   */
  default void onAcknowledged(Message message, Duration sinceReceived) {
    onAcknowledged(message);
  }

  /**
   * Deleting or releasing the message failed for good (after retries of passing faults); it will come back
   * after its visibility timeout, so it may be handled again.
   *
   * @param message the message; never null
   * @param cause the last failure of the delete or release; never null
   */
  default void onAcknowledgementFailed(Message message, Throwable cause) {}

  /**
   * The message's visibility was set to {@code visibility} so that it comes back then.
   *
   * @param message the message; never null
   * @param visibility how long until the message is visible again, zero for at once; never null
   */
  default void onReleased(Message message, Duration visibility) {}

  /**
   * The message is still being worked on: its visibility timeout was extended to {@code visibility}.
   *
   * @param message the message; never null
   * @param visibility the new visibility timeout, counted from the extension; never null
   */
  default void onVisibilityExtended(Message message, Duration visibility) {}

  /**
   * Extending the message's visibility failed; the heartbeat reports each failed attempt once. While the
   * extensions fail, the message may come back before its handler finished, and be handled again.
   *
   * @param message the message; never null
   * @param cause why the extension failed; never null
   * @param retryDelay when the heartbeat tries again (it backs off while the failures last), or null when
   *     it stopped extending the message because the queue no longer accepts its receipt handle (it is
   *     back in the queue)
   */
  default void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {}

  /**
   * Receiving failed; the consumer tries again after {@code backoff}.
   *
   * @param cause why the receive failed; never null
   * @param backoff how long the poller waits before it receives again; never null
   */
  default void onPollError(Throwable cause, Duration backoff) {}

  /**
   * The {@linkplain Consumer.Builder#adaptiveConcurrency adaptive concurrency} limit changed from
   * {@code previous} to {@code current} (see {@link Consumer#concurrencyLimit()}). Changes are told one at a
   * time, in the order they happened, on the worker thread whose handler call ended the round; changes
   * made while this method is still running for an earlier one are told next, on the same thread, merged
   * into one ({@code previous} is always the limit told last). A slow listener holds up only that thread.
   *
   * @param previous the limit before the change
   * @param current the limit now, between the adaptive minimum and the concurrency
   */
  default void onConcurrencyLimitChanged(int previous, int current) {}
}
