package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.AcknowledgeMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code sqs-consumer.*} properties: defaults for every consumer, and per consumer overrides or whole
 * consumers declared by name.
 *
 * <pre>
 * sqs-consumer.defaults.concurrency=20
 * sqs-consumer.defaults.batch.max-wait=50ms
 * sqs-consumer.consumers.orders.concurrency=100          # overrides for @SqsConsumer(name = "orders")
 * sqs-consumer.consumers.audit.queue=${audit.queue-url}  # a consumer declared here ...
 * sqs-consumer.consumers.audit.handler=auditHandler      # ... handled by the MessageHandler bean of this name
 * </pre>
 *
 * <p>A setting left out takes the consumer's default, then the library's. Values are checked when the
 * consumers are built, at startup, by the consumer's builder: its messages name the setting, the bad value
 * and the allowed range. A property under {@code sqs-consumer} that names nothing here (a misspelling, or a
 * consumer name with a dot written without brackets) fails startup too, rather than be ignored. Bound by
 * Spring Boot; not thread-safe while bound, read-only afterwards.
 */
@ConfigurationProperties(prefix = "sqs-consumer", ignoreUnknownFields = false)
public class SqsConsumerProperties {
  /*
   * Size:
   *   One class because it is the sqs-consumer property tree that Spring Boot binds: its nested classes
   *   are the tree's nodes, and the configuration processor turns each field's Javadoc into the property's
   *   description in the generated metadata. It holds fields, getters and setters, and gathers the parts'
   *   settings into keys (partSettings); the mapping onto a builder is in ConsumerSettingsApplier, and the
   *   builder checks the values.
   */

  /** Whether the consumers start with the application context; false leaves starting them to the application. */
  private boolean autoStartup = true;

  /**
   * Settings every consumer takes unless its own entry under consumers overrides them; a part setting
   * (batch.*, pool.*, ...) is left out for a consumer that names another part for that role.
   */
  private final ConsumerSettings defaults = new ConsumerSettings();

  /**
   * Consumers by name: overrides for the @SqsConsumer method of that name, or a consumer declared here with
   * its queue and handler bean.
   */
  private final Map<String, ConsumerProperties> consumers = new LinkedHashMap<>();

  /** Creates the properties with their defaults; Spring Boot binds them. */
  public SqsConsumerProperties() {}

  /** {@return whether the consumers start with the application context} */
  public boolean isAutoStartup() {
    return autoStartup;
  }

  /**
   * Whether the consumers start with the application context; false leaves starting them to the application. Bound from
   * {@code sqs-consumer.auto-startup}.
   *
   * @param autoStartup whether the consumers start with the application context
   */
  public void setAutoStartup(boolean autoStartup) {
    this.autoStartup = autoStartup;
  }

  /**
   * {@return the settings of every consumer, never null} A part setting among them (batch.*, pool.*, ...) is
   * left out for a consumer that names another part for that role.
   */
  public ConsumerSettings getDefaults() {
    return defaults;
  }

  /** {@return the consumers by name, never null} */
  public Map<String, ConsumerProperties> getConsumers() {
    return consumers;
  }

  /** One consumer's entry: its settings, and its queue and handler when it is declared here. */
  public static class ConsumerProperties extends ConsumerSettings {

    /**
     * The queue's URL or name. Required for a consumer declared here; overrides the queue of an @SqsConsumer
     * method.
     */
    private String queue;

    /**
     * The name of the bean that handles the messages, a MessageHandler or a BatchHandler; declares a
     * consumer here. Not allowed for the name of an @SqsConsumer method, which is its handler.
     */
    private String handler;

    /** Creates an empty entry; Spring Boot binds it. */
    public ConsumerProperties() {}

    /** {@return the queue's URL or name, or null when not set} */
    public String getQueue() {
      return queue;
    }

    /**
     * The queue's URL or name. Required for a consumer declared here; overrides the queue of an @SqsConsumer method.
     * Bound from {@code sqs-consumer.consumers.<name>.queue}.
     *
     * @param queue the queue's URL or name, or null to keep the queue of the @SqsConsumer method of this name
     */
    public void setQueue(String queue) {
      this.queue = queue;
    }

    /** {@return the handler bean's name, or null when not set} */
    public String getHandler() {
      return handler;
    }

    /**
     * The name of the bean that handles the messages, a MessageHandler or a BatchHandler; declares a consumer here. Not
     * allowed for the name of an @SqsConsumer method, which is its handler. Bound from
     * {@code sqs-consumer.consumers.<name>.handler}.
     *
     * @param handler the handler bean's name, or null for the consumer of the @SqsConsumer method of this name
     */
    public void setHandler(String handler) {
      this.handler = handler;
    }
  }

  /**
   * The settings of a consumer's builder and of its parts. Each is null until set: null takes the default
   * (for a consumer's own entry, the one under {@code defaults}).
   */
  public static class ConsumerSettings {

    /**
     * Whether a consumer that cannot start (its queue missing, access denied) fails the application's startup. If
     * false, the application starts without it and its health is DOWN. Default true.
     */
    private Boolean required;

    /** The most handlers running at once, 1 to 10000 (with a batch handler, batches). Default 10. */
    private Integer concurrency;

    /**
     * The most messages in one batch for a batch handler, 1 to 10000; above 10 it needs a batch-window. Default
     * 10.
     */
    private Integer batchSize;

    /**
     * How long a batch for a batch handler gathers messages from several receives, from its first message, 0 to
     * 5 minutes; not for FIFO queues. Default 0: a batch holds what one receive brought.
     */
    private Duration batchWindow;

    /**
     * The byte budget of a batch gathered within the batch-window (bodies and message attributes), 1KB to
     * 256MB. Default 6MB.
     */
    private DataSize batchMaxBytes;

    /** The most messages received ahead of a free handler, 0 to 10000. Default max(10, 6 x concurrency). */
    private Integer prefetch;

    /** How long one receive waits for messages (long polling), 0 to 20 seconds. Default 20s. */
    private Duration waitTime;

    /** The visibility timeout asked for with each receive, 1 second to 12 hours. Default the queue's own. */
    private Duration visibilityTimeout;

    /**
     * How long a message's visibility stays extended while it waits or runs, 0 to 12 hours; 0 turns the heartbeat off.
     * Default 12h.
     */
    private Duration maxVisibilityExtension;

    /**
     * How long closing waits for running handlers, 0 to 1 hour. Default: spring.lifecycle.timeout-per-shutdown-phase
     * less 7 seconds for the last acknowledgements (less half of it for a phase under 14 seconds), at most 30
     * seconds; a longer one fails startup, since the context would not wait for it.
     */
    private Duration shutdownTimeout;

    /** The most messages started per second; 0 for no limit. Default 0. */
    private Double rateLimit;

    /**
     * The longest a handler call may take, 1 ms to 12 hours, or 0 for no limit: a call that takes longer
     * fails with a HandlerTimeoutException and is interrupted. Default 0.
     */
    private Duration handlerTimeout;

    /** How long receives may keep failing before the consumer's health is DOWN, 1 second to 1 day. Default 1m. */
    private Duration unhealthyAfter;

    /** When messages are deleted. Default on-success. */
    private AcknowledgeMode acknowledgeMode;

    /** Whether SLF4J's MDC carries the message id, queue and consumer while a handler runs. Default true. */
    private Boolean mdc;

    /**
     * The system attributes the handler reads, asked for with every receive; All for every one, empty for
     * only what the consumer and its metrics or tracing need. Default the ones Message names (such as
     * ApproximateReceiveCount and SentTimestamp).
     */
    private List<String> systemAttributeNames;

    /**
     * The message attributes the handler reads, asked for with every receive (a name may end in .*); empty for
     * only what tracing needs. Default All.
     */
    private List<String> messageAttributeNames;

    /** The runner by name, such as sqs. Default the only one present. */
    private String runner;

    /** The worker by name, semaphore or pool. Default the only one present. */
    private String worker;

    /** The harvester by name, batch or direct. Default the only one present. */
    private String harvester;

    /** When failed messages come back. */
    private final Retry retry = new Retry();

    /** Adaptive concurrency: the limit moves between a minimum and the concurrency. Default off. */
    private final AdaptiveConcurrency adaptiveConcurrency = new AdaptiveConcurrency();

    /** Settings of the SQS runner (sqs.*); only for a client the runner builds, not with an SqsAsyncClient bean. */
    private final Sqs sqs = new Sqs();

    /** Settings of the batch harvester (batch.*). */
    private final Batch batch = new Batch();

    /** Settings of the direct harvester (direct.*). */
    private final Direct direct = new Direct();

    /** Settings of the pool worker (pool.*). */
    private final Pool pool = new Pool();

    /** Further part settings by their key, such as a custom part's; use [key] to keep dots and case. */
    private final Map<String, String> settings = new LinkedHashMap<>();

    /** Creates empty settings; Spring Boot binds them. */
    public ConsumerSettings() {}

    /** {@return whether a failed start fails the application, or null when not set} */
    public Boolean getRequired() {
      return required;
    }

    /**
     * Whether a consumer that cannot start (its queue missing, access denied) fails the application's startup. If
     * false, the application starts without it and its health is DOWN. Default true. Bound from {@code required} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param required whether a failed start fails the application, or null to take the default
     */
    public void setRequired(Boolean required) {
      this.required = required;
    }

    /** {@return the concurrency, or null when not set} */
    public Integer getConcurrency() {
      return concurrency;
    }

    /**
     * The most handlers running at once, 1 to 10000 (with a batch handler, batches). Default 10. Bound from
     * {@code concurrency} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param concurrency the concurrency, or null to take the default
     */
    public void setConcurrency(Integer concurrency) {
      this.concurrency = concurrency;
    }

    /** {@return the batch size, or null when not set} */
    public Integer getBatchSize() {
      return batchSize;
    }

    /**
     * The most messages in one batch for a batch handler, 1 to 10000; above 10 it needs a batch-window. Default
     * 10. Bound from {@code batch-size} under {@code sqs-consumer.defaults} or
     * {@code sqs-consumer.consumers.<name>}.
     *
     * @param batchSize the batch size, or null to take the default
     */
    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    /** {@return the batching window, or null when not set} */
    public Duration getBatchWindow() {
      return batchWindow;
    }

    /**
     * How long a batch may gather messages from several receives, counted from its first message: 0 to 5
     * minutes, default 0 (a batch is what one receive brings). A batch size above 10 needs a window. Bound
     * from {@code batch-window} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param batchWindow the batching window, or null to take the default
     */
    public void setBatchWindow(Duration batchWindow) {
      this.batchWindow = batchWindow;
    }

    /** {@return the byte budget of a batch, or null when not set} */
    public DataSize getBatchMaxBytes() {
      return batchMaxBytes;
    }

    /**
     * The most bytes (bodies and attributes) a gathered batch holds: 1 KB to 256 MB, default 6 MB. Bound from
     * {@code batch-max-bytes} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param batchMaxBytes the byte budget of a batch, or null to take the default
     */
    public void setBatchMaxBytes(DataSize batchMaxBytes) {
      this.batchMaxBytes = batchMaxBytes;
    }

    /** {@return the prefetch, or null when not set} */
    public Integer getPrefetch() {
      return prefetch;
    }

    /**
     * The most messages received ahead of a free handler, 0 to 10000. Default max(10, 6 x concurrency). Bound from
     * {@code prefetch} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param prefetch the prefetch, or null to take the default
     */
    public void setPrefetch(Integer prefetch) {
      this.prefetch = prefetch;
    }

    /** {@return the wait time, or null when not set} */
    public Duration getWaitTime() {
      return waitTime;
    }

    /**
     * How long one receive waits for messages (long polling), 0 to 20 seconds. Default 20s. Bound from
     * {@code wait-time} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param waitTime the wait time, or null to take the default
     */
    public void setWaitTime(Duration waitTime) {
      this.waitTime = waitTime;
    }

    /** {@return the visibility timeout, or null when not set} */
    public Duration getVisibilityTimeout() {
      return visibilityTimeout;
    }

    /**
     * The visibility timeout asked for with each receive, 1 second to 12 hours. Default the queue's own. Bound from
     * {@code visibility-timeout} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param visibilityTimeout the visibility timeout, or null to take the default
     */
    public void setVisibilityTimeout(Duration visibilityTimeout) {
      this.visibilityTimeout = visibilityTimeout;
    }

    /** {@return the longest visibility extension, or null when not set} */
    public Duration getMaxVisibilityExtension() {
      return maxVisibilityExtension;
    }

    /**
     * How long a message's visibility stays extended while it waits or runs, 0 to 12 hours; 0 turns the heartbeat off.
     * Default 12h. Bound from {@code max-visibility-extension} under {@code sqs-consumer.defaults} or
     * {@code sqs-consumer.consumers.<name>}.
     *
     * @param maxVisibilityExtension the longest visibility extension, or null to take the default
     */
    public void setMaxVisibilityExtension(Duration maxVisibilityExtension) {
      this.maxVisibilityExtension = maxVisibilityExtension;
    }

    /** {@return the shutdown timeout, or null when not set} */
    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    /**
     * How long closing waits for running handlers, 0 to 1 hour. Default: spring.lifecycle.timeout-per-shutdown-phase
     * less 7 seconds for the last acknowledgements (less half of it for a phase under 14 seconds), at most 30
     * seconds; a longer one fails startup, since the context would not wait for it. Bound from
     * {@code shutdown-timeout} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param shutdownTimeout the shutdown timeout, or null to take the default
     */
    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    /** {@return the rate limit, or null when not set} */
    public Double getRateLimit() {
      return rateLimit;
    }

    /**
     * The most messages started per second; 0 for no limit. Default 0. Bound from {@code rate-limit} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param rateLimit the rate limit, or null to take the default
     */
    public void setRateLimit(Double rateLimit) {
      this.rateLimit = rateLimit;
    }

    /** {@return the handler timeout, or null when not set} */
    public Duration getHandlerTimeout() {
      return handlerTimeout;
    }

    /**
     * The longest a handler call may take, 1 ms to 12 hours, or 0 for no limit: a call that takes longer
     * fails with a HandlerTimeoutException and is interrupted. Default 0. Bound from {@code handler-timeout}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param handlerTimeout the handler timeout, or null to take the default
     */
    public void setHandlerTimeout(Duration handlerTimeout) {
      this.handlerTimeout = handlerTimeout;
    }

    /** {@return how long receives may fail before the consumer is unhealthy, or null when not set} */
    public Duration getUnhealthyAfter() {
      return unhealthyAfter;
    }

    /**
     * How long receives may keep failing before the consumer's health is DOWN, 1 second to 1 day. Default 1m.
     * Bound from {@code unhealthy-after} under {@code sqs-consumer.defaults} or
     * {@code sqs-consumer.consumers.<name>}.
     *
     * @param unhealthyAfter how long receives may fail, or null to take the default
     */
    public void setUnhealthyAfter(Duration unhealthyAfter) {
      this.unhealthyAfter = unhealthyAfter;
    }

    /** {@return the acknowledge mode, or null when not set} */
    public AcknowledgeMode getAcknowledgeMode() {
      return acknowledgeMode;
    }

    /**
     * When messages are deleted. Default on-success. Bound from {@code acknowledge-mode} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param acknowledgeMode the acknowledge mode, or null to take the default
     */
    public void setAcknowledgeMode(AcknowledgeMode acknowledgeMode) {
      this.acknowledgeMode = acknowledgeMode;
    }

    /** {@return whether the MDC carries the message, or null when not set} */
    public Boolean getMdc() {
      return mdc;
    }

    /**
     * Whether SLF4J's MDC carries the message id, queue and consumer while a handler runs. Default true. Bound from
     * {@code mdc} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param mdc whether the MDC carries the message, or null to take the default
     */
    public void setMdc(Boolean mdc) {
      this.mdc = mdc;
    }

    /** {@return the system attribute names the handler reads, or null when not set} */
    public List<String> getSystemAttributeNames() {
      return systemAttributeNames;
    }

    /**
     * The system attributes the handler reads, asked for with every receive: All for every one, empty for only
     * what the consumer and its metrics or tracing need. Default the ones {@code Message} names (such as
     * ApproximateReceiveCount and SentTimestamp). Bound from {@code system-attribute-names} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param systemAttributeNames the system attribute names, or null to take the default
     */
    public void setSystemAttributeNames(List<String> systemAttributeNames) {
      this.systemAttributeNames = systemAttributeNames;
    }

    /** {@return the message attribute names the handler reads, or null when not set} */
    public List<String> getMessageAttributeNames() {
      return messageAttributeNames;
    }

    /**
     * The message attributes the handler reads, asked for with every receive (a name may end in .*): empty for
     * only what tracing needs. Default All. Bound from {@code message-attribute-names} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param messageAttributeNames the message attribute names, or null to take the default
     */
    public void setMessageAttributeNames(List<String> messageAttributeNames) {
      this.messageAttributeNames = messageAttributeNames;
    }

    /** {@return the runner's name, or null when not set} */
    public String getRunner() {
      return runner;
    }

    /**
     * The runner by name, such as sqs. Default the only one present. Bound from {@code runner} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param runner the runner's name, or null to take the default
     */
    public void setRunner(String runner) {
      this.runner = runner;
    }

    /** {@return the worker's name, or null when not set} */
    public String getWorker() {
      return worker;
    }

    /**
     * The worker by name, semaphore or pool. Default the only one present. Bound from {@code worker} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param worker the worker's name, or null to take the default
     */
    public void setWorker(String worker) {
      this.worker = worker;
    }

    /** {@return the harvester's name, or null when not set} */
    public String getHarvester() {
      return harvester;
    }

    /**
     * The harvester by name, batch or direct. Default the only one present. Bound from {@code harvester} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param harvester the harvester's name, or null to take the default
     */
    public void setHarvester(String harvester) {
      this.harvester = harvester;
    }

    /** {@return the retry settings, never null} */
    public Retry getRetry() {
      return retry;
    }

    /** {@return the adaptive concurrency settings (adaptive-concurrency.*), never null} */
    public AdaptiveConcurrency getAdaptiveConcurrency() {
      return adaptiveConcurrency;
    }

    /** {@return the SQS runner's settings, never null} */
    public Sqs getSqs() {
      return sqs;
    }

    /** {@return the batch harvester's settings, never null} */
    public Batch getBatch() {
      return batch;
    }

    /** {@return the direct harvester's settings, never null} */
    public Direct getDirect() {
      return direct;
    }

    /** {@return the pool worker's settings, never null} */
    public Pool getPool() {
      return pool;
    }

    /** {@return further part settings by key, never null} */
    public Map<String, String> getSettings() {
      return settings;
    }

    /** The part settings given, by the parts' own keys ({@code batch.maxWait}); those left out are absent. */
    Map<String, String> partSettings() {
      Map<String, String> all = new LinkedHashMap<>();
      put(all, "sqs.endpoint", sqs.endpoint);
      put(all, "sqs.region", sqs.region);
      put(all, "sqs.maxConnections", sqs.maxConnections);
      put(all, "batch.maxWait", batch.maxWait);
      put(all, "batch.maxInFlight", batch.maxInFlight);
      put(all, "batch.bufferSize", batch.bufferSize);
      put(all, "batch.maxAttempts", batch.maxAttempts);
      put(all, "direct.maxInFlight", direct.maxInFlight);
      put(all, "direct.maxAttempts", direct.maxAttempts);
      put(all, "pool.minWorkers", pool.minWorkers);
      put(all, "pool.idleTimeout", pool.idleTimeout);
      put(all, "pool.queueCapacity", pool.queueCapacity);
      all.putAll(settings);
      return all;
    }

    private static void put(Map<String, String> settings, String key, String value) {
      if (value != null) {
        settings.put(key, value);
      }
    }
  }

  /**
   * Adaptive concurrency ({@code Consumer.Builder#adaptiveConcurrency}): on with a minimum. A test of failures
   * in code ({@code overloadWhen}) goes through an {@code SqsConsumerCustomizer}.
   */
  public static class AdaptiveConcurrency {

    /** The lowest limit, 1 to the concurrency (the maximum); setting it turns adaptive concurrency on. */
    private Integer min;

    /**
     * Exception types that mean the downstream is overloaded (matched along the cause chain); they lower the
     * limit. Needs min.
     */
    private List<Class<? extends Throwable>> overloadOn = new ArrayList<>();

    /** Creates empty settings; Spring Boot binds them. */
    public AdaptiveConcurrency() {}

    /** {@return the lowest limit, or null when not set (a fixed concurrency)} */
    public Integer getMin() {
      return min;
    }

    /**
     * The lowest limit of adaptive concurrency, 1 to the concurrency (its maximum); setting it turns adaptive
     * concurrency on. Default none (a fixed concurrency). Bound from {@code adaptive-concurrency.min} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param min the lowest limit, or null for a fixed concurrency
     */
    public void setMin(Integer min) {
      this.min = min;
    }

    /** {@return the overload exception types, never null} */
    public List<Class<? extends Throwable>> getOverloadOn() {
      return overloadOn;
    }

    /**
     * Exception types that mean the downstream is overloaded (matched along the cause chain); they lower the
     * limit. Needs {@code min}. Default none. Bound from {@code adaptive-concurrency.overload-on} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param overloadOn the overload exception types (class names in properties)
     */
    public void setOverloadOn(List<Class<? extends Throwable>> overloadOn) {
      this.overloadOn = overloadOn;
    }
  }

  /** When a failed message comes back: the retry policy. */
  public static class Retry {

    /**
     * The policy: exponential (backoff with jitter), fixed, or visibility-timeout (the queue's). Default exponential
     * from 1s to 5m.
     */
    private RetryKind policy;

    /** The first delay of exponential, or the delay of fixed. */
    private Duration delay;

    /** The longest delay of exponential. */
    private Duration maxDelay;

    /** Creates empty retry settings; Spring Boot binds them. */
    public Retry() {}

    /** {@return the policy, or null when not set} */
    public RetryKind getPolicy() {
      return policy;
    }

    /**
     * The policy: exponential (backoff with jitter), fixed, or visibility-timeout (the queue's). Default exponential
     * from 1s to 5m. Bound from {@code retry.policy} under {@code sqs-consumer.defaults} or
     * {@code sqs-consumer.consumers.<name>}.
     *
     * @param policy the policy, or null to take the default
     */
    public void setPolicy(RetryKind policy) {
      this.policy = policy;
    }

    /** {@return the (first) delay, or null when not set} */
    public Duration getDelay() {
      return delay;
    }

    /**
     * The first delay of exponential, or the delay of fixed. Bound from {@code retry.delay} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}.
     *
     * @param delay the (first) delay, or null to take the default
     */
    public void setDelay(Duration delay) {
      this.delay = delay;
    }

    /** {@return the longest delay, or null when not set} */
    public Duration getMaxDelay() {
      return maxDelay;
    }

    /**
     * The longest delay of exponential. Bound from {@code retry.max-delay} under {@code sqs-consumer.defaults} or
     * {@code sqs-consumer.consumers.<name>}.
     *
     * @param maxDelay the longest delay, or null to take the default
     */
    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }
  }

  /** The retry policies the properties can choose. */
  public enum RetryKind {
    /** Exponential backoff with jitter from {@code delay} to {@code max-delay}. */
    EXPONENTIAL,
    /** The same {@code delay} for every retry. */
    FIXED,
    /** The queue's visibility timeout: the message is left to reappear. */
    VISIBILITY_TIMEOUT
  }

  /** The SQS runner's settings, as text checked by the runner (see its module documentation). */
  public static class Sqs {
    /** sqs.endpoint: an endpoint override, an http or https URI, for ElasticMQ, LocalStack or a VPC endpoint. */
    private String endpoint;
    /** sqs.region: the AWS region, such as eu-west-1. Default from the queue URL or the default region chain. */
    private String region;
    /** sqs.maxConnections: the most HTTP connections of the runner's client, 1 to 10000. Default 500. */
    private String maxConnections;

    /** Creates empty settings; Spring Boot binds them. */
    public Sqs() {}

    /** {@return the endpoint, or null when not set} */
    public String getEndpoint() {
      return endpoint;
    }

    /**
     * An endpoint override, an http or https URI, for ElasticMQ, LocalStack or a VPC endpoint. Bound from
     * {@code sqs.endpoint} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to
     * the part as its setting {@code sqs.endpoint}.
     *
     * @param endpoint the endpoint, or null to take the default
     */
    public void setEndpoint(String endpoint) {
      this.endpoint = endpoint;
    }

    /** {@return the region, or null when not set} */
    public String getRegion() {
      return region;
    }

    /**
     * The AWS region, such as eu-west-1. Default from the queue URL or the default region chain. Bound from
     * {@code sqs.region} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to
     * the part as its setting {@code sqs.region}.
     *
     * @param region the region, or null to take the default
     */
    public void setRegion(String region) {
      this.region = region;
    }

    /** {@return the most connections, or null when not set} */
    public String getMaxConnections() {
      return maxConnections;
    }

    /**
     * The most HTTP connections of the runner's client, 1 to 10000. Default 500. Bound from {@code sqs.max-connections}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its
     * setting {@code sqs.maxConnections}.
     *
     * @param maxConnections the most connections, or null to take the default
     */
    public void setMaxConnections(String maxConnections) {
      this.maxConnections = maxConnections;
    }
  }

  /** The batch harvester's settings, as text checked by the harvester (see its module documentation). */
  public static class Batch {
    /** batch.maxWait: the longest an entry waits for its batch to fill, 0 to 10s. Default 100ms. */
    private String maxWait;
    /**
     * batch.maxInFlight: the most batch requests sent and not yet answered, 1 to 1000. Default concurrency / 2, between
     * 2 and 50.
     */
    private String maxInFlight;
    /** batch.bufferSize: the most messages held, 10 to 1000000. Default 20 x max-in-flight. */
    private String bufferSize;
    /** batch.maxAttempts: how many times an entry failing transiently is sent, 1 to 100. Default 5. */
    private String maxAttempts;

    /** Creates empty settings; Spring Boot binds them. */
    public Batch() {}

    /** {@return the longest wait, or null when not set} */
    public String getMaxWait() {
      return maxWait;
    }

    /**
     * The longest an entry waits for its batch to fill, 0 to 10s. Default 100ms. Bound from {@code batch.max-wait}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its
     * setting {@code batch.maxWait}.
     *
     * @param maxWait the longest wait, or null to take the default
     */
    public void setMaxWait(String maxWait) {
      this.maxWait = maxWait;
    }

    /** {@return the most requests in flight, or null when not set} */
    public String getMaxInFlight() {
      return maxInFlight;
    }

    /**
     * The most batch requests sent and not yet answered, 1 to 1000. Default concurrency / 2, between 2 and 50. Bound
     * from {@code batch.max-in-flight} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>},
     * and handed to the part as its setting {@code batch.maxInFlight}.
     *
     * @param maxInFlight the most requests in flight, or null to take the default
     */
    public void setMaxInFlight(String maxInFlight) {
      this.maxInFlight = maxInFlight;
    }

    /** {@return the buffer size, or null when not set} */
    public String getBufferSize() {
      return bufferSize;
    }

    /**
     * The most messages held, 10 to 1000000. Default 20 x max-in-flight. Bound from {@code batch.buffer-size} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its setting
     * {@code batch.bufferSize}.
     *
     * @param bufferSize the buffer size, or null to take the default
     */
    public void setBufferSize(String bufferSize) {
      this.bufferSize = bufferSize;
    }

    /** {@return the most attempts, or null when not set} */
    public String getMaxAttempts() {
      return maxAttempts;
    }

    /**
     * How many times an entry failing transiently is sent, 1 to 100. Default 5. Bound from {@code batch.max-attempts}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its
     * setting {@code batch.maxAttempts}.
     *
     * @param maxAttempts the most attempts, or null to take the default
     */
    public void setMaxAttempts(String maxAttempts) {
      this.maxAttempts = maxAttempts;
    }
  }

  /** The direct harvester's settings, as text checked by the harvester (see its module documentation). */
  public static class Direct {
    /**
     * direct.maxInFlight: the most requests sent and not yet answered, 1 to 10000. Default the concurrency, at most 50.
     */
    private String maxInFlight;
    /** direct.maxAttempts: how many times a request failing transiently is sent, 1 to 100. Default 5. */
    private String maxAttempts;

    /** Creates empty settings; Spring Boot binds them. */
    public Direct() {}

    /** {@return the most requests in flight, or null when not set} */
    public String getMaxInFlight() {
      return maxInFlight;
    }

    /**
     * The most requests sent and not yet answered, 1 to 10000. Default the concurrency, at most 50. Bound from
     * {@code direct.max-in-flight} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and
     * handed to the part as its setting {@code direct.maxInFlight}.
     *
     * @param maxInFlight the most requests in flight, or null to take the default
     */
    public void setMaxInFlight(String maxInFlight) {
      this.maxInFlight = maxInFlight;
    }

    /** {@return the most attempts, or null when not set} */
    public String getMaxAttempts() {
      return maxAttempts;
    }

    /**
     * How many times a request failing transiently is sent, 1 to 100. Default 5. Bound from {@code direct.max-attempts}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its
     * setting {@code direct.maxAttempts}.
     *
     * @param maxAttempts the most attempts, or null to take the default
     */
    public void setMaxAttempts(String maxAttempts) {
      this.maxAttempts = maxAttempts;
    }
  }

  /** The pool worker's settings, as text checked by the worker (see its module documentation). */
  public static class Pool {
    /** pool.minWorkers: threads kept when idle, 0 to the concurrency. Default 0. */
    private String minWorkers;
    /** pool.idleTimeout: how long a thread waits for work before it stops, 1ms to 1h. Default 60s. */
    private String idleTimeout;
    /**
     * pool.queueCapacity: units that may wait when all threads are busy, 1 to 1048576. Default max(16, concurrency).
     */
    private String queueCapacity;

    /** Creates empty settings; Spring Boot binds them. */
    public Pool() {}

    /** {@return the threads kept when idle, or null when not set} */
    public String getMinWorkers() {
      return minWorkers;
    }

    /**
     * Threads kept when idle, 0 to the concurrency. Default 0. Bound from {@code pool.min-workers} under
     * {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its setting
     * {@code pool.minWorkers}.
     *
     * @param minWorkers the threads kept when idle, or null to take the default
     */
    public void setMinWorkers(String minWorkers) {
      this.minWorkers = minWorkers;
    }

    /** {@return the idle timeout, or null when not set} */
    public String getIdleTimeout() {
      return idleTimeout;
    }

    /**
     * How long a thread waits for work before it stops, 1ms to 1h. Default 60s. Bound from {@code pool.idle-timeout}
     * under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and handed to the part as its
     * setting {@code pool.idleTimeout}.
     *
     * @param idleTimeout the idle timeout, or null to take the default
     */
    public void setIdleTimeout(String idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    /** {@return the waiting room's capacity, or null when not set} */
    public String getQueueCapacity() {
      return queueCapacity;
    }

    /**
     * Units that may wait when all threads are busy, 1 to 1048576. Default max(16, concurrency). Bound from
     * {@code pool.queue-capacity} under {@code sqs-consumer.defaults} or {@code sqs-consumer.consumers.<name>}, and
     * handed to the part as its setting {@code pool.queueCapacity}.
     *
     * @param queueCapacity the waiting room's capacity, or null to take the default
     */
    public void setQueueCapacity(String queueCapacity) {
      this.queueCapacity = queueCapacity;
    }
  }
}
