package io.github.sqsconsumer;

/**
 * The consumer could not start or run: for example the queue does not exist, access was denied, or no
 * provider was found for a part. The message says what and how to fix it.
 */
public class ConsumerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * With a message.
   *
   * @param message what failed and how to fix it; never holds a message body or credentials
   */
  public ConsumerException(String message) {
    super(message);
  }

  /**
   * With a message and the cause.
   *
   * @param message what failed and how to fix it; never holds a message body or credentials
   * @param cause the underlying failure, or null if there is none
   */
  public ConsumerException(String message, Throwable cause) {
    super(message, cause);
  }
}
