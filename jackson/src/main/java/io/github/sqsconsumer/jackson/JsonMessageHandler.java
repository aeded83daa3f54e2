package io.github.sqsconsumer.jackson;

/**
 * Handles one message read from JSON, with the received message and the SNS notification it came in (if
 * any) at hand: return normally for success, throw for failure.
 *
 * <p>Called by the worker's threads, <strong>concurrently</strong> for different messages, so an
 * implementation must be thread-safe; otherwise it keeps the contract of
 * {@link io.github.sqsconsumer.MessageHandler}.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface JsonMessageHandler<T> {

  /**
   * Handles the message.
   *
   * @param message the payload with its message; never null
   * @throws Exception any failure; the message is then retried (or discarded, for a
   *     {@link io.github.sqsconsumer.PermanentFailureException})
   */
  void handle(JsonMessage<T> message) throws Exception;
}
