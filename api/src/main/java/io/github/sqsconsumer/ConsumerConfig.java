package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.RunnerProvider;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a consumer is built with: an immutable, checked copy of its {@link Consumer.Builder}, taken at
 * {@link Consumer.Builder#build()}. The consumer and its engine read only this, so a builder reused as a
 * template (build, change, build again) cannot change, nor slip an unchecked value into, a consumer built
 * before. Every constructor call checks every value; the messages name the setting, the bad value and the
 * allowed range.
 *
 * @param visibilityTimeout the configured visibility timeout, or null for the queue's own
 * @param batchWindow how long a batch gathers from its first message; zero: one receive per batch
 * @param batchMaxBytes the byte budget of a batch gathered within the window
 * @param prefetch the effective prefetch (the default already applied)
 * @param runner the runner's name, or null for the system property or the only one present
 * @param runnerProvider the runner given as an instance, or null to find one (then {@code runner} applies)
 * @param settings part settings in the order given; an unmodifiable copy
 * @param components the user's components by type; an unmodifiable copy
 * @param handlerTimeout how long a unit's handler may run, or zero for no limit
 * @param unhealthyAfter how long receives may fail before the consumer reports unhealthy
 * @param receiveAttributes the attributes the user's handler reads (the builder's), without the core's and
 *     the hooks' (ReceiveNeeds adds those)
 * @param adaptive the adaptive concurrency, or null for a fixed concurrency
 */
record ConsumerConfig(
    String name,
    String queue,
    MessageHandler handler,
    BatchHandler batchHandler,
    int batchSize,
    Duration batchWindow,
    long batchMaxBytes,
    int concurrency,
    int prefetch,
    Duration waitTime,
    Duration shutdownTimeout,
    Duration maxVisibilityExtension,
    Duration visibilityTimeout,
    double rateLimit,
    RetryPolicy retryPolicy,
    AcknowledgeMode acknowledgeMode,
    List<ConsumerListener> listeners,
    List<HandlerHook> hooks,
    boolean mdc,
    String runner,
    RunnerProvider runnerProvider,
    String worker,
    String harvester,
    Map<String, String> settings,
    Map<Class<?>, Object> components,
    Duration handlerTimeout,
    Duration unhealthyAfter,
    ReceiveAttributes receiveAttributes,
    Adaptive adaptive) {

  /** The most messages received ahead of a free handler. */
  static final int MAX_PREFETCH = 10_000;

  ConsumerConfig {
    Checks.requireState(queue != null, "queue must be set");
    Checks.requireArgument(!queue.isBlank(), "queue must not be blank");
    Checks.requireState(handler != null || batchHandler != null, "a handler or a batchHandler must be set");
    Checks.requireState(handler == null || batchHandler == null,
        "only one of handler and batchHandler may be set");
    Checks.requireArgument(!name.isBlank(), "name must not be blank");
    Checks.requireArgument(concurrency >= 1 && concurrency <= Consumer.Builder.MAX_CONCURRENCY,
        "concurrency must be between 1 and %d but was %d", Consumer.Builder.MAX_CONCURRENCY, concurrency);
    Checks.requireArgument(batchSize >= 1 && batchSize <= Consumer.Builder.MAX_BATCH_SIZE,
        "batchSize must be between 1 and %d but was %d", Consumer.Builder.MAX_BATCH_SIZE, batchSize);
    requireBetween("batchWindow", batchWindow, Duration.ZERO, Consumer.Builder.MAX_BATCH_WINDOW);
    // batchSize and batchWindow are ignored with a single-message handler, as their Javadoc says: checked
    // against each other and the queue only for a batch handler
    Checks.requireArgument(batchHandler == null || batchSize <= QueuePort.MAX_BATCH_SIZE || !batchWindow.isZero(),
        "batchSize above %d needs a batchWindow to gather it from several receives (one brings at most %d) "
            + "but batchSize was %d and batchWindow zero", QueuePort.MAX_BATCH_SIZE, QueuePort.MAX_BATCH_SIZE,
        batchSize);
    Checks.requireArgument(batchMaxBytes >= Consumer.Builder.MIN_BATCH_MAX_BYTES
        && batchMaxBytes <= Consumer.Builder.MAX_BATCH_MAX_BYTES, "batchMaxBytes must be between %d and %d but was %d",
        Consumer.Builder.MIN_BATCH_MAX_BYTES, Consumer.Builder.MAX_BATCH_MAX_BYTES, batchMaxBytes);
    Checks.requireArgument(batchHandler == null || batchWindow.isZero() || !nameOf(queue).endsWith(".fifo"),
        "batchWindow must be zero for a FIFO queue (%s): SQS hands out a group's next messages only once the "
            + "earlier ones are done, so a FIFO batch holds what one receive brought; but was %s", queue,
        batchWindow);
    Checks.requireArgument(prefetch >= 0 && prefetch <= MAX_PREFETCH,
        "prefetch must be between 0 and %d but was %s", MAX_PREFETCH, prefetch);
    requireBetween("waitTime", waitTime, Duration.ZERO, Consumer.Builder.MAX_WAIT_TIME);
    requireBetween("shutdownTimeout", shutdownTimeout, Duration.ZERO, Duration.ofHours(1));
    requireBetween("maxVisibilityExtension", maxVisibilityExtension, Duration.ZERO, RetryPolicy.MAX_DELAY);
    if (visibilityTimeout != null) {
      requireBetween("visibilityTimeout", visibilityTimeout, Duration.ofSeconds(1), RetryPolicy.MAX_DELAY);
    }
    if (!handlerTimeout.isZero()) { // zero: no limit
      requireBetween("handlerTimeout", handlerTimeout, Duration.ofMillis(1), RetryPolicy.MAX_DELAY);
    }
    requireBetween("unhealthyAfter", unhealthyAfter, Duration.ofSeconds(1), Duration.ofDays(1));
    if (adaptive != null) {
      Checks.requireArgument(adaptive.min() >= 1 && adaptive.min() <= concurrency,
          "adaptiveConcurrency minimum must be between 1 and the concurrency (%d) but was %d", concurrency,
          adaptive.min());
    }
    Checks.requireArgument(rateLimit >= 0 && rateLimit <= 1_000_000 && !Double.isNaN(rateLimit),
        "rateLimit must be between 0 and 1000000 messages per second but was %s", rateLimit);
    Checks.requireArgument(runner == null || !runner.isBlank(), "runner must not be blank");
    Checks.requireArgument(worker == null || !worker.isBlank(), "worker must not be blank");
    Checks.requireArgument(harvester == null || !harvester.isBlank(), "harvester must not be blank");
    for (String key : settings.keySet()) {
      Checks.requireArgument(!key.isBlank(), "setting keys must not be blank");
    }
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings)); // keeps the order for messages
    components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    listeners = List.copyOf(listeners);
    hooks = List.copyOf(hooks);
  }

  /** Whether batches gather from several receives: a batch handler with a batching window. */
  boolean assemblesBatches() {
    return batchHandler != null && !batchWindow.isZero();
  }

  /**
   * Adaptive concurrency: the limit moves between {@code min} and the concurrency.
   *
   * @param min the lowest limit
   * @param overloadOn failures that mean the downstream is overloaded, matched along the cause chain
   * @param overloadWhen the user's own test of a failure, or null
   */
  record Adaptive(int min, List<Class<? extends Throwable>> overloadOn, Predicate<Throwable> overloadWhen) {
    /** How deep the cause chain is searched for an {@code overloadOn} type: wrappers rarely nest deeper. */
    private static final int CAUSE_DEPTH = 8;

    Adaptive {
      overloadOn = List.copyOf(overloadOn);
    }

    /** Whether {@code failure} is the overload signal; may throw what the user's predicate throws. */
    boolean overloaded(Throwable failure) {
      if (failure == null) {
        return false;
      }
      Throwable cause = failure;
      for (int depth = 0; cause != null && depth < CAUSE_DEPTH; depth++, cause = cause.getCause()) {
        for (Class<? extends Throwable> type : overloadOn) {
          if (type.isInstance(cause)) {
            return true;
          }
        }
      }
      return overloadWhen != null && overloadWhen.test(failure);
    }
  }

  /** The last path segment of the queue URL, or the queue's name as given. */
  String queueName() {
    return nameOf(queue);
  }

  /** The queue's name: the last path segment of a queue URL (a trailing slash dropped), or the name itself. */
  private static String nameOf(String queue) {
    String trimmed = queue.endsWith("/") ? queue.substring(0, queue.length() - 1) : queue;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  private static void requireBetween(String setting, Duration value, Duration min, Duration max) {
    Checks.requireArgument(value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
        "%s must be between %s and %s but was %s", setting, min, max, value);
  }
}
