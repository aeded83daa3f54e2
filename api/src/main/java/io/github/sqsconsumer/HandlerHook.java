package io.github.sqsconsumer;

import java.util.List;
import java.util.Set;

/**
 * Runs around every call of the handler, on the handler's own thread: to set thread context (a log MDC, a
 * tracing span) for the handler and clear it afterwards, and to see how the call ended. Metrics, tracing
 * and log context are built on it and on {@link ConsumerListener}.
 *
 * <p>A unit is what one handler call gets: one message for a {@link MessageHandler}, or one batch for a
 * {@link BatchHandler}. For each unit the consumer calls {@link #before} of every hook in the order they
 * were added to the builder, then the handler, then {@link #after} of the same hooks in the reverse order,
 * all on one thread, so hooks nest like scopes: the first hook added is the outermost. The consumer's own
 * log context ({@link Consumer.Builder#mdc}) is outside every hook.
 *
 * <p>Failures: if {@code before} throws (anything, an Error too), the handler is not called and the unit
 * fails with that exception exactly as if the handler had thrown it (the retry policy applies); the hooks
 * whose {@code before} already ran still get {@code after}, with that exception. An exception thrown by
 * {@code after} is logged at WARN and otherwise ignored: the handler's outcome stands and the remaining
 * hooks' {@code after} still run. Either way the unit's capacity is given back.
 *
 * <p>Called concurrently from the worker's threads, on the hot path: implementations must be thread-safe
 * and fast. A consumer built without hooks (and with the log context switched off) calls the handler
 * directly: the hook machinery costs nothing per message.
 */
public interface HandlerHook {

  /**
   * Called by {@link Consumer.Builder#build()}, on the building thread, once for each consumer built with
   * this hook, before the consumer can start: for hooks that name the queue or the consumer, or read its
   * gauges. The default does nothing.
   *
   * @param consumer the consumer the hook was installed on, never null; not started yet
   * @throws RuntimeException to refuse the consumer (a hook made for one consumer only, installed on a
   *     second one); {@code build()} then fails with it
   */
  default void attached(Consumer consumer) {}

  /**
   * Returns the names of the system attributes this hook reads from messages, such as {@code SentTimestamp}
   * or {@code AWSTraceHeader}: the consumer asks the queue for them with every receive, on top of what its
   * core and its user need ({@link Consumer.Builder#systemAttributeNames}), so a hook gets what it reads
   * whatever the user narrowed. Called once by {@link Consumer.Builder#build()}, on the building thread.
   * The default asks for none.
   *
   * @return attribute names, or {@value io.github.sqsconsumer.spi.ReceiveAttributes#ALL} for all; never
   *     null
   */
  default Set<String> systemAttributeNames() {
    return Set.of();
  }

  /**
   * Returns the names of the message attributes (the sender's own) this hook reads from messages, such as
   * {@code traceparent}; a name may end in {@code .*} for every attribute with that prefix. The consumer
   * asks the queue for them with every receive, on top of what its user asked for
   * ({@link Consumer.Builder#messageAttributeNames}). Called once by {@link Consumer.Builder#build()}, on
   * the building thread. The default asks for none.
   *
   * @return attribute names, or {@value io.github.sqsconsumer.spi.ReceiveAttributes#ALL} for all; never
   *     null
   */
  default Set<String> messageAttributeNames() {
    return Set.of();
  }

  /**
   * Called on the handler's thread just before the handler gets {@code messages}.
   *
   * @param messages the unit: one message, or a batch in the order the handler gets it; never null or
   *     empty, unmodifiable
   * @return whatever {@link #after} needs to finish (a scope to close, a start time, the previous context);
   *     may be null
   */
  Object before(List<Message> messages);

  /**
   * Called on the same thread right after the handler returned or threw (or did not run, because a
   * {@link #before} threw).
   *
   * @param messages the same unit {@link #before} got, never null
   * @param state what {@link #before} of this hook returned; may be null
   * @param failure what the handler (or a hook's {@code before}) threw, or null if the handler returned
   * @param result what a {@link BatchHandler} returned (failures per message); null for a
   *     {@link MessageHandler}, or when {@code failure} is not null
   */
  void after(List<Message> messages, Object state, Throwable failure, BatchResult result);
}
