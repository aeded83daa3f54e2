package io.github.sqsconsumer.spi;

import java.time.Duration;
import java.util.Optional;

/** What a runner is created with. Thread-safe. */
public interface RunnerContext extends PartContext {

  /** {@return the queue as the user named it: a URL or a name, as the runner understands it; never null} */
  String queue();

  /**
   * {@return the visibility timeout the consumer asks for with every receive ({@code Runner#receive}), if
   * the user set one; empty when the consumer uses the queue's own} Never null. A runner reads it to judge
   * the queue's settings when it opens (a queue timeout of 0 s needs no warning when one is set).
   *
   * <p>The default returns empty, for contexts that know of no consumer (a runner's own tests).
   */
  default Optional<Duration> visibilityTimeout() {
    return Optional.empty();
  }

  /**
   * Returns the attributes every receive must ask for: the union of what the consumer's core needs
   * ({@code ApproximateReceiveCount}, {@code MessageGroupId}), what its hooks ask for
   * ({@code HandlerHook#systemAttributeNames()} and {@code #messageAttributeNames()}) and what its user asked
   * for ({@code Consumer.Builder#systemAttributeNames}). Never null; the same value for the consumer's life,
   * so a runner may build what it sends once. A runner must ask for at least these; received messages may
   * carry more only where the queue cannot be asked for less.
   *
   * <p>The default asks for everything ({@link ReceiveAttributes#EVERYTHING}), for contexts that know of
   * no consumer (a runner's own tests).
   *
   * @return the attributes to ask for, never null
   */
  default ReceiveAttributes receiveAttributes() {
    return ReceiveAttributes.EVERYTHING;
  }
}
