package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.AdaptiveConcurrency;
import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.ConsumerSettings;
import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.Retry;
import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.RetryKind;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Applies one consumer's properties to its builder: each setting from its own entry, else from the
 * defaults, else left to the builder. The builder checks the values at {@code build()}.
 *
 * <p>Shutdown: the context waits {@code spring.lifecycle.timeout-per-shutdown-phase} for the consumers to
 * close, and a consumer takes up to its shutdown timeout plus {@link #CLOSE_MARGIN}. So the default shutdown
 * timeout fits that phase (at most the builder's 30 s), and a longer one set explicitly fails here rather than
 * be cut short at shutdown. A phase under twice the margin keeps half of it for the handlers: the margin is a
 * worst case (acknowledgements usually go out in milliseconds), and a shutdown timeout of zero would
 * interrupt every running handler at once.
 */
final class ConsumerSettingsApplier {
  /**
   * What {@link io.github.sqsconsumer.Consumer#close()} may take beyond the shutdown timeout: 5 seconds for the
   * last acknowledgements and 2 for the SQS runner's release of messages that a cancelled long poll brought.
   */
  static final Duration CLOSE_MARGIN = Duration.ofSeconds(7);
  /** The builder's own default, kept while the shutdown phase allows it. */
  private static final Duration LIBRARY_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);
  private static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(5);

  private final ConsumerSettings defaults;
  private final Duration shutdownPhase;
  private final Map<String, String> partRoles = partRoles();

  ConsumerSettingsApplier(ConsumerSettings defaults, Duration shutdownPhase) {
    this.defaults = defaults;
    this.shutdownPhase = shutdownPhase;
  }

  /** Whether a consumer that cannot start fails the application's startup; default true. */
  boolean required(ConsumerSettings own) {
    return pick(own.getRequired(), defaults.getRequired(), true);
  }

  /**
   * Applies the settings.
   *
   * @param prefix the consumer's own properties, {@code sqs-consumer.consumers.<name>}, for messages
   * @throws IllegalArgumentException if a setting does not fit, naming its property
   */
  void apply(ConsumerSettings own, String prefix, io.github.sqsconsumer.Consumer.Builder builder) {
    set(own.getConcurrency(), defaults.getConcurrency(), builder::concurrency);
    set(own.getBatchSize(), defaults.getBatchSize(), builder::batchSize);
    set(own.getBatchWindow(), defaults.getBatchWindow(), builder::batchWindow);
    set(own.getBatchMaxBytes(), defaults.getBatchMaxBytes(), size -> builder.batchMaxBytes(size.toBytes()));
    set(own.getPrefetch(), defaults.getPrefetch(), builder::prefetch);
    set(own.getWaitTime(), defaults.getWaitTime(), builder::waitTime);
    set(own.getVisibilityTimeout(), defaults.getVisibilityTimeout(), builder::visibilityTimeout);
    set(own.getMaxVisibilityExtension(), defaults.getMaxVisibilityExtension(), builder::maxVisibilityExtension);
    set(own.getRateLimit(), defaults.getRateLimit(), builder::rateLimit);
    set(own.getHandlerTimeout(), defaults.getHandlerTimeout(), builder::handlerTimeout);
    set(own.getUnhealthyAfter(), defaults.getUnhealthyAfter(), builder::unhealthyAfter);
    set(own.getAcknowledgeMode(), defaults.getAcknowledgeMode(), builder::acknowledgeMode);
    set(own.getMdc(), defaults.getMdc(), builder::mdc);
    set(own.getSystemAttributeNames(), defaults.getSystemAttributeNames(),
        names -> builder.systemAttributeNames(names.toArray(String[]::new)));
    set(own.getMessageAttributeNames(), defaults.getMessageAttributeNames(),
        names -> builder.messageAttributeNames(names.toArray(String[]::new)));
    set(own.getRunner(), defaults.getRunner(), builder::runner);
    set(own.getWorker(), defaults.getWorker(), builder::worker);
    set(own.getHarvester(), defaults.getHarvester(), builder::harvester);
    builder.shutdownTimeout(shutdownTimeout(own, prefix));
    RetryPolicy retry = retryPolicy(own.getRetry(), defaults.getRetry(), prefix);
    if (retry != null) {
      builder.retryPolicy(retry);
    }
    adaptiveConcurrency(own.getAdaptiveConcurrency(), defaults.getAdaptiveConcurrency(), builder, prefix);
    Map<String, String> settings = new LinkedHashMap<>();
    defaults.partSettings().forEach((key, value) -> {
      if (!forAnotherPart(key, own)) {
        settings.put(key, value);
      }
    });
    settings.putAll(own.partSettings());
    settings.forEach(builder::setting);
  }

  /**
   * Whether a default part setting belongs to a part this consumer does not use: its part (the key's text
   * before the first dot) is a runner, worker or harvester, and the consumer names another one for that
   * role. Such a setting is left out, as a system property of a part not chosen is: the builder would fail
   * on a setting no chosen part reads. Without a name for the role the builder chooses, and checks.
   */
  boolean forAnotherPart(String key, ConsumerSettings own) {
    String part = key.substring(0, Math.max(0, key.indexOf('.')));
    String chosen = switch (partRoles.getOrDefault(part, "")) {
      case "runner" -> pick(own.getRunner(), defaults.getRunner(), null);
      case "worker" -> pick(own.getWorker(), defaults.getWorker(), null);
      case "harvester" -> pick(own.getHarvester(), defaults.getHarvester(), null);
      default -> null;
    };
    return chosen != null && !chosen.equals(part);
  }

  /** The names of the runners, workers and harvesters present, by their role. */
  private static Map<String, String> partRoles() {
    Map<String, String> roles = new HashMap<>();
    ServiceLoader.load(RunnerProvider.class).stream().forEach(p -> roles.put(p.get().name(), "runner"));
    ServiceLoader.load(WorkerProvider.class).stream().forEach(p -> roles.put(p.get().name(), "worker"));
    ServiceLoader.load(HarvesterProvider.class).stream().forEach(p -> roles.put(p.get().name(), "harvester"));
    return roles;
  }

  /** The shutdown timeout of the consumer with {@code own} settings; {@code prefix} names its properties. */
  Duration shutdownTimeout(ConsumerSettings own, String prefix) {
    Duration margin = closeMargin(shutdownPhase);
    Duration longest = shutdownPhase.minus(margin);
    Duration given = pick(own.getShutdownTimeout(), defaults.getShutdownTimeout(), null);
    if (given == null) {
      // [shutdown timeout + margin <= the phase the context waits]
      return longest.compareTo(LIBRARY_SHUTDOWN_TIMEOUT) < 0 ? longest : LIBRARY_SHUTDOWN_TIMEOUT;
    }
    if (given.compareTo(longest) > 0) {
      String property = own.getShutdownTimeout() != null ? prefix + ".shutdown-timeout"
          : "sqs-consumer.defaults.shutdown-timeout";
      throw new IllegalArgumentException(property + " (" + given + ") plus " + margin + " for the last "
          + "acknowledgements must fit in spring.lifecycle.timeout-per-shutdown-phase (" + shutdownPhase
          + "), or the context stops waiting while messages are still handled; lower it to " + longest
          + " or less, or raise the phase timeout");
    }
    return given;
  }

  /** What a close may take beyond its shutdown timeout, within a shutdown phase of {@code phase}. */
  static Duration closeMargin(Duration phase) {
    Duration half = phase.dividedBy(2);
    return half.compareTo(CLOSE_MARGIN) < 0 ? half : CLOSE_MARGIN;
  }

  /** The minimum turns it on; the overload types of the consumer's own entry replace the defaults' list. */
  private static void adaptiveConcurrency(AdaptiveConcurrency own, AdaptiveConcurrency defaults,
      io.github.sqsconsumer.Consumer.Builder builder, String prefix) {
    set(own.getMin(), defaults.getMin(), builder::adaptiveConcurrency);
    List<Class<? extends Throwable>> overloadOn =
        own.getOverloadOn().isEmpty() ? defaults.getOverloadOn() : own.getOverloadOn();
    for (Class<? extends Throwable> type : overloadOn) {
      if (!Throwable.class.isAssignableFrom(type)) { // Spring binds any class name into the list
        throw new IllegalArgumentException((own.getOverloadOn().isEmpty() ? "sqs-consumer.defaults" : prefix)
            + ".adaptive-concurrency.overload-on must name exception types but names " + type.getName());
      }
      builder.overloadOn(type);
    }
  }

  private static RetryPolicy retryPolicy(Retry own, Retry defaults, String prefix) {
    RetryKind kind = pick(own.getPolicy(), defaults.getPolicy(), null);
    Duration delay = pick(own.getDelay(), defaults.getDelay(), null);
    Duration maxDelay = pick(own.getMaxDelay(), defaults.getMaxDelay(), null);
    if (kind == null && delay == null && maxDelay == null) {
      return null;
    }
    try {
      return switch (kind == null ? RetryKind.EXPONENTIAL : kind) {
        case EXPONENTIAL -> RetryPolicy.exponential(delay == null ? DEFAULT_RETRY_DELAY : delay,
            maxDelay == null ? DEFAULT_RETRY_MAX_DELAY : maxDelay);
        case FIXED -> {
          if (delay == null) {
            throw new IllegalArgumentException("retry.delay is required with retry.policy=fixed");
          }
          yield RetryPolicy.fixed(delay);
        }
        case VISIBILITY_TIMEOUT -> RetryPolicy.visibilityTimeout();
      };
    } catch (IllegalArgumentException e) { // RetryPolicy names its parameters (base, max): name the properties
      throw new IllegalArgumentException(retryProperties(own, prefix) + ": " + e.getMessage(), e);
    }
  }

  /** Where a consumer's retry settings are written: its own entry if it sets any, else the defaults. */
  private static String retryProperties(Retry own, String prefix) {
    boolean ownSet = own.getPolicy() != null || own.getDelay() != null || own.getMaxDelay() != null;
    return (ownSet ? prefix + ".retry.*" : "sqs-consumer.defaults.retry.*") + " (policy, delay, max-delay)";
  }

  private static <T> void set(T own, T fallback, Consumer<T> setter) {
    T value = pick(own, fallback, null);
    if (value != null) {
      setter.accept(value);
    }
  }

  private static <T> T pick(T own, T fallback, T otherwise) {
    return own != null ? own : fallback != null ? fallback : otherwise;
  }
}
