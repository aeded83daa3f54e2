package io.github.sqsconsumer.jackson;

/**
 * Handles the payload of one message, read from JSON: return normally for success, throw for failure.
 *
 * <p>Called by the worker's threads, <strong>concurrently</strong> for different messages, so an
 * implementation must be thread-safe; otherwise it keeps the contract of
 * {@link io.github.sqsconsumer.MessageHandler} (throw {@link io.github.sqsconsumer.PermanentFailureException}
 * to discard the message).
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface PayloadHandler<T> {

  /**
   * Handles the payload.
   *
   * @param payload the body (or the SNS notification's message) read as {@code T}; never null
   * @throws Exception any failure; the message is then retried (or discarded)
   */
  void handle(T payload) throws Exception;
}
