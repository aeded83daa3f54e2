package io.github.sqsconsumer.spi;

import io.github.sqsconsumer.Message;
import java.time.Duration;

/**
 * Where a harvester reports the end of each message it was given: exactly one call per
 * {@link Harvester#acknowledge} or {@link Harvester#release}.
 *
 * <p>Implemented by the core (it stops the visibility heartbeat for the message and tells the listener).
 * Thread-safe, fast, never blocks; may be called from any thread, including SDK callback threads.
 */
public interface HarvesterCallback {

  /**
   * The message was deleted.
   *
   * @param message the message as the harvester was given it; never null
   */
  void acknowledged(Message message);

  /**
   * The message's visibility was set to {@code visibility}.
   *
   * @param message the message as the harvester was given it; never null
   * @param visibility the visibility it was released to, counted from the change; never null
   */
  void released(Message message, Duration visibility);

  /**
   * Deleting or releasing failed for good: after retries of transient faults, for an invalid receipt
   * handle, or because the harvester closed before it could send. The message comes back after its
   * visibility timeout.
   *
   * @param message the message as the harvester was given it; never null
   * @param cause the last failure, or why the harvester could not send; never null
   */
  void failed(Message message, Throwable cause);
}
