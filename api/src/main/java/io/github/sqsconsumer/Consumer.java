package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Limits;
import io.github.sqsconsumer.spi.ReceiveAttributes;
import io.github.sqsconsumer.spi.RunnerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Consumes one queue: receives messages, runs the handler on each with bounded concurrency, and deletes
 * each message once its handler succeeded.
 *
 * <pre>{@code
 * try (Consumer consumer = Consumer.builder()
 *     .queue("https://sqs.eu-west-1.amazonaws.com/123456789012/orders")
 *     .handler(message -> orders.process(message.body()))
 *     .concurrency(50)
 *     .build()) {
 *   consumer.start();
 *   awaitShutdownSignal();
 * }
 * }</pre>
 *
 * <p>The parts — runner, worker, harvester — are found with {@link java.util.ServiceLoader}. With one of
 * each on the module path or class path, nothing needs choosing; otherwise choose by name with
 * {@link Builder#worker(String)} (and the like) or the system properties
 * {@code io.github.sqsconsumer.runner}, {@code .worker} and {@code .harvester}. A runner not registered as
 * a service, such as the test kit's in-memory one, is handed over with {@link Builder#runner(RunnerProvider)}.
 *
 * <p>Supervised: once started, the consumer's own loops (its pollers, the FIFO dispatcher, the visibility
 * heartbeat) never end until {@link #close()}. Whatever a part, a handler or a listener throws, an
 * {@link Error} too, is logged at ERROR (reported to {@link ConsumerListener#onPollError} when a receive
 * failed) and the loop goes on after a backoff. So a {@link State#RUNNING} consumer keeps consuming; it
 * never goes quiet while it claims to run, and there is no state for failing after start.
 *
 * <p>Thread-safe: {@link #start()} and {@link #close()} may be called from any thread, any number of
 * times.
 */
public interface Consumer extends AutoCloseable {
  /*
   * Size:
   *   The user's entry point in one file, the interface and its Builder, so that each setting's Javadoc
   *   (meaning, default, range) sits beside the method that sets it; more than half of the file is that
   *   Javadoc. The Builder only collects settings and checks them into a ConsumerConfig; the consumer
   *   itself is DefaultConsumer.
   */

  /** The log context ({@link org.slf4j.MDC}) key of the message id while a handler runs ({@link Builder#mdc}). */
  String MDC_MESSAGE_ID = "sqs.messageId";
  /** The log context key of the queue's name while a handler runs (see {@link Builder#mdc}). */
  String MDC_QUEUE = "sqs.queue";
  /** The log context key of the consumer's name while a handler runs (see {@link Builder#mdc}). */
  String MDC_CONSUMER = "sqs.consumer";

  /** The life of a consumer. */
  enum State {
    /** Built, not started. */
    NEW,
    /** {@link #start()} is connecting to the queue. */
    STARTING,
    /** Polling and handling messages, until {@link #close()}, whatever a part or a callback throws. */
    RUNNING,
    /** {@link #close()} is draining: no new messages, in-flight ones finish. */
    STOPPING,
    /** Closed; all threads ended. */
    TERMINATED,
    /** {@link #start()} failed; the consumer is closed. */
    FAILED
  }

  /** {@return a new builder with every setting at its default; never null} */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Connects to the queue and starts consuming; returns once polling has begun. Calling it again while
   * running does nothing. Every setting was checked at {@link Builder#build()}, so this fails only for the
   * queue's sake.
   *
   * <p>Transient failures (the queue cannot be reached) are retried a few times, each attempt within the
   * runner's own timeouts; a {@link #close()} from another thread meanwhile makes it give up at once.
   *
   * @throws ConsumerException if the queue cannot be used (it does not exist, access is denied, it cannot
   *     be reached); the message says which and the consumer is then {@link State#FAILED}; or if
   *     {@link #close()} was called while it connected, and the consumer is then {@link State#TERMINATED}
   * @throws IllegalStateException if the consumer is closing or closed
   */
  void start();

  /**
   * Stops gracefully: stops polling at once (cancelling outstanding long polls), lets running handlers
   * finish within the shutdown timeout, sends all acknowledgements, makes every received message that
   * never started visible again, then releases all resources. Idempotent: a second call waits for the
   * first to finish. A consumer that never started just becomes {@link State#TERMINATED}; one whose
   * {@link #start()} is still connecting to the queue stops trying (start throws) and becomes
   * {@link State#TERMINATED} too.
   *
   * <p>Bounded: returns within the {@linkplain Builder#shutdownTimeout shutdown timeout} plus 5 seconds
   * for sending the last acknowledgements, counted from the call, as long as the parts keep their own
   * timeouts, even while the queue does not answer: every wait of close ends by then. The runner's own
   * close comes on top: it may wait briefly for the release of what long polls cancelled at close brought
   * after all ({@link io.github.sqsconsumer.spi.Runner#receive Runner.receive}
   * and {@link io.github.sqsconsumer.spi.Runner#close Runner.close}); how long is in the runner's
   * documentation (the SQS runner: 2 seconds).
   * Deletes and releases that could not be sent by then are reported to
   * {@link ConsumerListener#onAcknowledgementFailed}; those messages come back after their visibility
   * timeout. Handlers still running at the shutdown timeout are interrupted; their messages come back after
   * their visibility timeout. Not interruptible: an interrupt of the calling thread, before or during the
   * call, does not cut the stop short; the interrupt status is set again when close returns.
   *
   * <p>A running consumer keeps the JVM alive (its heartbeat thread is not a daemon), as a server's
   * threads do: close it, from a shutdown hook or the framework that owns it, for the JVM to exit. Once
   * closed it holds no thread, but a handler that ignored the interrupt at the shutdown timeout still runs
   * on its thread until it returns; with the pool worker that is a platform thread that is not a daemon,
   * so it too keeps the JVM alive until then.
   *
   * <p>Called from a handler, a {@link HandlerHook} or a {@link ConsumerListener} (of this consumer or
   * another), close does not wait: the stop waits for running handlers and the consumer's own threads, the
   * caller's among them. It stops receiving and moves to {@link State#STOPPING} before it returns, and
   * the stop goes on on a thread of its own as described above; the handler that called it finishes as
   * usual (its message is acknowledged if it succeeds). {@link #state()} reads {@link State#TERMINATED}
   * once the stop is done.
   *
   * <p>Messages received ahead of a free handler (the {@linkplain Builder#prefetch prefetch}) and FIFO
   * messages waiting behind their group's running one are released unhandled. They were received all the
   * same, so each such release counts toward the queue's {@code maxReceiveCount}: with a redrive policy, a
   * message that was never handled can reach the dead-letter queue after enough restarts. Keep
   * {@code maxReceiveCount} well above the retries a message needs, or the prefetch small.
   */
  @Override
  void close();

  /** {@return the current state; never null} */
  State state();

  /** {@return the consumer's name, used in thread names and logs; never null} */
  String name();

  /**
   * {@return the queue's name: the last path segment of the queue URL given to the builder, or the name
   * given; never null} For metrics tags, span attributes and logs.
   */
  String queueName();

  /**
   * {@return how many messages are received and not yet settled (deleted or released): waiting for a
   * handler, running, or waiting for their delete; zero or more}
   */
  int inFlight();

  /**
   * {@return how many units run in the worker now: messages, or batches with a batch handler; at most the
   * concurrency} Zero unless {@link State#RUNNING} or {@link State#STOPPING}.
   *
   * <p>This and the two gauges below are for metrics: thread-safe and cheap (a worker may take its lock for
   * a moment; nothing waits on the queue or on handlers), each read on its own (three reads are not one
   * snapshot).
   */
  int workerActive();

  /**
   * {@return how many units the worker accepted that wait for a thread (its waiting room)} Zero for a worker
   * without one, and unless {@link State#RUNNING} or {@link State#STOPPING}.
   */
  int workerWaiting();

  /**
   * {@return how many threads the worker holds now: the live platform threads it keeps, idle ones included,
   * or the virtual threads running units, as the worker is built} Zero unless {@link State#RUNNING} or
   * {@link State#STOPPING}.
   */
  int workerThreads();

  /**
   * {@return how many messages the consumer currently allows itself to receive ahead of a free handler: the
   * adaptive prefetch, between zero and {@link Builder#prefetch}} Zero unless {@link State#RUNNING} or
   * {@link State#STOPPING}. Thread-safe and cheap, for metrics.
   */
  int prefetch();

  /**
   * {@return how many units (messages, or batches with a batch handler) may run at once now: the
   * {@linkplain Builder#concurrency concurrency}, or with {@linkplain Builder#adaptiveConcurrency adaptive
   * concurrency} the limit it has adapted to, between its minimum and the concurrency} Zero unless
   * {@link State#RUNNING} or {@link State#STOPPING}. Thread-safe and cheap, for metrics.
   */
  int concurrencyLimit();

  /**
   * {@return a snapshot of the consumer's health for readiness and liveness probes: its state, whether it
   * is healthy (running, and its receives have not been failing for longer than
   * {@link Builder#unhealthyAfter}), whether it is paused, when a receive last succeeded, the receives
   * failed in a row and the messages in flight} Never null; thread-safe and cheap (no call to the queue),
   * in any state.
   */
  ConsumerHealth health();

  /**
   * Stops receiving without stopping the consumer: no receive starts once this returns, until
   * {@link #resume()}. Receives already sent are not cancelled (a cancelled receive's messages would be
   * released, and each release counts toward the queue's {@code maxReceiveCount}): they complete within
   * the {@linkplain Builder#waitTime wait time}, and their messages are handled like the others. Messages
   * in flight are handled, deleted or released as usual, and the heartbeat keeps extending those still
   * held. The state stays {@link State#RUNNING}; {@link #health()} tells it is paused.
   *
   * <p>Idempotent, and may be called from any thread, in any state: a consumer paused before
   * {@link #start()} starts without receiving; {@link #close()} while paused stops as usual and loses
   * nothing. Returns at once (it waits only for a receive being sent at that moment, which does not block).
   */
  void pause();

  /**
   * Receives again after {@link #pause()}. Idempotent, and may be called from any thread, in any state; does
   * nothing unless paused.
   */
  void resume();

  /**
   * Builds a {@link Consumer}. Every setting is checked at {@link #build()}, whose message names the
   * setting, the bad value and the allowed range. A template: {@link #build()} copies every setting (the
   * part settings and components too), so a builder may be changed and built again for another consumer
   * without touching the ones built before. Hooks and listeners are objects shared by every consumer built
   * with them, and a hook made for one consumer (such as the metrics or the tracing of the optional
   * modules) refuses a second: install those on a {@link #copy()} of the template for each consumer. Not
   * thread-safe.
   */
  final class Builder {
    /** The most concurrency a consumer allows: {@link Limits#MAX_CONCURRENCY}, named for builder users. */
    public static final int MAX_CONCURRENCY = Limits.MAX_CONCURRENCY;
    /** The longest SQS long poll: {@link Limits#MAX_WAIT_TIME}, named for builder users. */
    public static final Duration MAX_WAIT_TIME = Limits.MAX_WAIT_TIME;
    /** The most messages in one batch: {@link Limits#MAX_HANDLER_BATCH_SIZE}, named for builder users. */
    public static final int MAX_BATCH_SIZE = Limits.MAX_HANDLER_BATCH_SIZE;
    /** The longest batching window: {@link Limits#MAX_BATCH_WINDOW}, named for builder users. */
    public static final Duration MAX_BATCH_WINDOW = Limits.MAX_BATCH_WINDOW;
    /**
     * The default byte budget of a batch, 6 MiB: Lambda's payload limit, so a batch that fits there fits here,
     * and 24 messages of the largest size SQS allows.
     */
    public static final long DEFAULT_BATCH_MAX_BYTES = 6L * 1024 * 1024;
    /** The smallest byte budget of a batch, 1 KiB; a message larger than the budget forms a batch of its own. */
    public static final long MIN_BATCH_MAX_BYTES = 1024;
    /** The largest byte budget of a batch, 256 MiB: a thousand messages of the largest size SQS allows. */
    public static final long MAX_BATCH_MAX_BYTES = 256L * 1024 * 1024;

    String name = "sqs-consumer";
    String queue;
    MessageHandler handler;
    BatchHandler batchHandler;
    int batchSize = 10;
    Duration batchWindow = Duration.ZERO;
    long batchMaxBytes = DEFAULT_BATCH_MAX_BYTES;
    int concurrency = 10;
    Integer prefetch;
    Duration waitTime = MAX_WAIT_TIME;
    Duration shutdownTimeout = Duration.ofSeconds(30);
    Duration maxVisibilityExtension = Limits.MAX_VISIBILITY;
    Duration visibilityTimeout;
    double rateLimit;
    RetryPolicy retryPolicy = RetryPolicy.defaultPolicy();
    AcknowledgeMode acknowledgeMode = AcknowledgeMode.ON_SUCCESS;
    final List<ConsumerListener> listeners = new ArrayList<>();
    final List<HandlerHook> hooks = new ArrayList<>();
    boolean mdc = true;
    Duration handlerTimeout = Duration.ZERO;
    Duration unhealthyAfter = Duration.ofMinutes(1);
    Set<String> systemAttributeNames = ReceiveNeeds.DEFAULT_SYSTEM_ATTRIBUTES;
    Set<String> messageAttributeNames = ReceiveNeeds.DEFAULT_MESSAGE_ATTRIBUTES;
    Integer adaptiveMin; // null: fixed concurrency
    final List<Class<? extends Throwable>> overloadOn = new ArrayList<>();
    Predicate<Throwable> overloadWhen;
    String runner;
    RunnerProvider runnerProvider;
    String worker;
    String harvester;
    final Map<String, String> settings = new LinkedHashMap<>();
    final Map<Class<?>, Object> components = new LinkedHashMap<>();

    Builder() {}

    /**
     * Returns a new builder with every setting of this one, to change and build apart from it: a template
     * for several consumers, each with hooks of its own.
     *
     * <pre>{@code
     * Consumer.Builder template = Consumer.builder().concurrency(50).handler(handler);
     * for (String queue : queues) {
     *   Consumer.Builder builder = template.copy().name(queue).queue(queue);
     *   ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);   // this consumer's alone
     *   ...
     * }
     * }</pre>
     *
     * <p>The copy holds the same hooks, listeners, handler and components (the objects, not copies of
     * them); hooks and listeners added to either builder afterwards are its own.
     *
     * @return a new builder; never null
     */
    public Builder copy() {
      Builder copy = new Builder();
      copy.name = name;
      copy.queue = queue;
      copy.handler = handler;
      copy.batchHandler = batchHandler;
      copy.batchSize = batchSize;
      copy.batchWindow = batchWindow;
      copy.batchMaxBytes = batchMaxBytes;
      copy.concurrency = concurrency;
      copy.prefetch = prefetch;
      copy.waitTime = waitTime;
      copy.shutdownTimeout = shutdownTimeout;
      copy.maxVisibilityExtension = maxVisibilityExtension;
      copy.visibilityTimeout = visibilityTimeout;
      copy.rateLimit = rateLimit;
      copy.retryPolicy = retryPolicy;
      copy.acknowledgeMode = acknowledgeMode;
      copy.listeners.addAll(listeners);
      copy.hooks.addAll(hooks);
      copy.mdc = mdc;
      copy.handlerTimeout = handlerTimeout;
      copy.unhealthyAfter = unhealthyAfter;
      copy.systemAttributeNames = systemAttributeNames;
      copy.messageAttributeNames = messageAttributeNames;
      copy.adaptiveMin = adaptiveMin;
      copy.overloadOn.addAll(overloadOn);
      copy.overloadWhen = overloadWhen;
      copy.runner = runner;
      copy.runnerProvider = runnerProvider;
      copy.worker = worker;
      copy.harvester = harvester;
      copy.settings.putAll(settings);
      copy.components.putAll(components);
      return copy;
    }

    /**
     * The consumer's name, for thread names and logs; default {@code sqs-consumer}.
     *
     * @param name the consumer's name; never null
     * @return this builder
     */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The queue to consume: its URL or, for runners that resolve names, its name. Required.
     *
     * @param queue the queue URL or name; never null
     * @return this builder
     */
    public Builder queue(String queue) {
      this.queue = Objects.requireNonNull(queue, "queue");
      return this;
    }

    /**
     * The handler called for each message. Exactly one of this and {@link #batchHandler} is required.
     *
     * @param handler called for each message, possibly on many threads at once; never null
     * @return this builder
     */
    public Builder handler(MessageHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * The handler called for each batch of up to {@code batchSize} messages: those of one receive, or with a
     * {@linkplain #batchWindow batching window} those gathered from several (on a FIFO queue, the messages of
     * one group within a receive). Concurrency then counts batches.
     *
     * @param handler called for each batch, possibly on many threads at once; never null
     * @return this builder
     */
    public Builder batchHandler(BatchHandler handler) {
      this.batchHandler = Objects.requireNonNull(handler, "batchHandler");
      return this;
    }

    /**
     * The most messages in one batch for the batch handler, 1 to 10,000; default 10. One receive brings at
     * most 10, so a size above 10 needs a {@linkplain #batchWindow batching window} to gather the batch from
     * several receives; without one, {@link #build()} fails. Ignored with a single-message handler.
     *
     * @param batchSize the most messages per batch, 1 to 10,000, checked at {@link #build()}
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * How long a batch for the batch handler may gather messages from several receives, counted from its
     * first message, 0 to 5 minutes; default zero: each batch holds what one receive brought (at most 10).
     * With a window, a batch goes to the handler when the first of these happens: it holds {@linkplain
     * #batchSize batchSize} messages; the window has passed since its first message; the next message would
     * take it past {@linkplain #batchMaxBytes batchMaxBytes}. A batch that is ready while every handler is
     * busy goes on gathering, within those bounds, until a handler is free. Messages keep their visibility
     * extended by the heartbeat while they wait (see {@link #maxVisibilityExtension}), and count toward the
     * bound on received messages (see {@link #prefetch}); at {@link Consumer#close()} those of a batch that
     * never started are released. Not for FIFO queues: SQS hands out a group's next messages only once the
     * earlier ones are done, so a FIFO batch always holds what one receive brought (at most 10, as with
     * Lambda); {@link #build()} fails for a queue whose name ends in {@code .fifo}. Ignored with a
     * single-message handler.
     *
     * @param batchWindow how long a batch may gather, 0 to 5 minutes, checked at {@link #build()}; never null
     * @return this builder
     */
    public Builder batchWindow(Duration batchWindow) {
      this.batchWindow = Objects.requireNonNull(batchWindow, "batchWindow");
      return this;
    }

    /**
     * The byte budget of one batch gathered within a {@linkplain #batchWindow batching window}: bodies (UTF-8)
     * and message attributes (names, types, values) as SQS counts them, 1 KiB to 256 MiB; default 6 MiB. A
     * batch is handed over before the message that would exceed it, which starts the next batch; a single
     * message larger than the budget forms a batch of its own. Bounds what one batch holds in memory (10,000
     * messages of 256 KiB would be 2.5 GiB).
     *
     * @param batchMaxBytes the most bytes one gathered batch holds, 1 KiB to 256 MiB, checked at
     *     {@link #build()}
     * @return this builder
     */
    public Builder batchMaxBytes(long batchMaxBytes) {
      this.batchMaxBytes = batchMaxBytes;
      return this;
    }

    /**
     * The most handlers running at once, 1 to 10,000; default 10. A hard limit. With a batch handler it
     * counts batches.
     *
     * @param concurrency the most handler calls at once, 1 to {@link #MAX_CONCURRENCY}, checked at
     *     {@link #build()}
     * @return this builder
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * The most messages received ahead of a free handler, 0 to 10,000. Messages received (or being
     * received) whose handler has not finished never exceed {@code concurrency (x batch size) + prefetch},
     * and on a FIFO queue up to {@code 9 x concurrency} more that wait behind their group's earlier messages
     * (SQS hands out a group's next messages together; room of their own keeps them from taking what the
     * other groups need); finished ones waiting for their delete are bounded by the harvester's own buffer.
     * Within this bound
     * the consumer adapts how far ahead it polls to the queue's round-trip time and the handler's time.
     * Default {@code max(10, 6 x concurrency)}, capped at 10,000: enough to hide a 60 ms round trip (a
     * busy queue 15-30 ms away, plus client queueing) behind a 10 ms handler. With a {@linkplain
     * #batchWindow batching window} the default is at least the batch size (still capped at 10,000), and the
     * consumer keeps at least one batch ahead, so the next batch gathers while the handlers run. The
     * consumer only goes that far ahead when the measured times call for it; set it lower to bound memory
     * for large messages.
     * Prefetched messages still waiting at {@link Consumer#close()} are released unhandled, and that
     * receive counts toward the queue's {@code maxReceiveCount} (see there).
     *
     * @param prefetch the most messages held ahead of a free handler, 0 to 10,000, checked at
     *     {@link #build()}
     * @return this builder
     */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /**
     * How long one receive waits for messages (long polling), 0 to 20 seconds; default 20 seconds.
     *
     * @param waitTime the long poll of one receive, 0 to {@link #MAX_WAIT_TIME}; never null
     * @return this builder
     */
    public Builder waitTime(Duration waitTime) {
      this.waitTime = Objects.requireNonNull(waitTime, "waitTime");
      return this;
    }

    /**
     * The visibility timeout asked for with each receive and renewed by the heartbeat while a message waits,
     * runs or waits for its delete, 1 second to 12 hours; default the queue's own. Handy when the queue's
     * timeout is short, or zero, and cannot be changed.
     *
     * @param visibilityTimeout asked for with each receive, 1 second to 12 hours; never null
     * @return this builder
     */
    public Builder visibilityTimeout(Duration visibilityTimeout) {
      this.visibilityTimeout = Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
      return this;
    }

    /**
     * How long after its receipt a message's visibility stays extended while it waits or runs, 0 to 12
     * hours; default 12 hours (the SQS maximum). Zero turns the heartbeat off. A message still held when
     * this runs out comes back to the queue and may be handled again (its first delete then fails); a
     * warning names it, once.
     *
     * @param maxVisibilityExtension counted from a message's receipt, 0 (no heartbeat) to 12 hours;
     *     never null
     * @return this builder
     */
    public Builder maxVisibilityExtension(Duration maxVisibilityExtension) {
      this.maxVisibilityExtension = Objects.requireNonNull(maxVisibilityExtension, "maxVisibilityExtension");
      return this;
    }

    /**
     * How long {@link Consumer#close()} waits for running handlers, 0 to 1 hour; default 30 seconds.
     *
     * @param shutdownTimeout the wait for running handlers at close, 0 to 1 hour; never null
     * @return this builder
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * The most messages started per second, to protect a downstream system; 0 (the default) for no limit.
     * When the limit is reached, the consumer stops polling rather than holding messages. Starts may bunch
     * up to one second's worth at once (at least one message): below 10 a second, each receive asks for at
     * most the rate's whole part (1.5 a second: one message per receive), so a receive of ten never starts
     * ten at once. The limit is kept as messages are received: while handlers run slower than the rate
     * (a downstream that stalls), receives go on at the rate until the {@linkplain #prefetch prefetch}
     * (or a batch being gathered) is full, and what they brought starts as handlers free up, so in the
     * moments after a stall starts can exceed the rate by up to that much. Keep the prefetch small where
     * the downstream must never see more than the rate.
     *
     * @param messagesPerSecond the most handler starts per second, 0 (no limit) to 1,000,000, checked at
     *     {@link #build()}
     * @return this builder
     */
    public Builder rateLimit(double messagesPerSecond) {
      this.rateLimit = messagesPerSecond;
      return this;
    }

    /**
     * When failed messages come back; default {@link RetryPolicy#defaultPolicy()}.
     *
     * @param retryPolicy decides when each failed message comes back; never null
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * When messages are deleted; default {@link AcknowledgeMode#ON_SUCCESS}.
     *
     * @param acknowledgeMode when a message is deleted; never null
     * @return this builder
     */
    public Builder acknowledgeMode(AcknowledgeMode acknowledgeMode) {
      this.acknowledgeMode = Objects.requireNonNull(acknowledgeMode, "acknowledgeMode");
      return this;
    }

    /**
     * Adds a listener of the consumer's events, for metrics and tracing; default none. Several listeners
     * each hear every event, in the order they were added; one that throws does not keep the others from
     * hearing it.
     *
     * @param listener hears every event after those added before it; never null
     * @return this builder
     */
    public Builder listener(ConsumerListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Adds a hook that runs around every handler call on the handler's thread; default none. Hooks nest in
     * the order they were added: the first added is the outermost (its {@code before} runs first, its
     * {@code after} last). See {@link HandlerHook}.
     *
     * @param hook runs inside the hooks added before it; never null
     * @return this builder
     */
    public Builder hook(HandlerHook hook) {
      hooks.add(Objects.requireNonNull(hook, "hook"));
      return this;
    }

    /**
     * Whether SLF4J's {@link org.slf4j.MDC} carries the message while a handler runs; default true. The
     * keys are {@link Consumer#MDC_MESSAGE_ID} (for a batch, its message ids joined by commas; for a batch
     * of more than 10, the first 10 and how many more, so a log line stays short),
     * {@link Consumer#MDC_QUEUE} (the {@linkplain Consumer#queueName() queue's name}) and
     * {@link Consumer#MDC_CONSUMER} (the consumer's {@linkplain #name name}); whatever they held on the
     * thread before is restored when the handler returns. The log context is set outside every
     * {@linkplain #hook hook}, so hooks log with it too. Off, a consumer without hooks calls the handler
     * directly.
     *
     * @param enabled true to set the log context around each handler call, false to leave it alone
     * @return this builder
     */
    public Builder mdc(boolean enabled) {
      this.mdc = enabled;
      return this;
    }

    /**
     * How long one handler call (a message, or a batch) may run, 1 millisecond to 12 hours; default zero, no
     * limit. When it runs out, the handler's thread is interrupted and the unit fails at once with a
     * {@link HandlerTimeoutException} (a {@link java.util.concurrent.TimeoutException}): the retry policy
     * applies to each message and the listeners hear {@link ConsumerListener#onFailed}; hooks get it as
     * the failure in {@link HandlerHook#after}, which still runs when the handler returns. Whatever the
     * handler does after that is ignored. Its worker slot stays taken until the handler really returns, so
     * a handler that ignores the interrupt keeps counting toward the {@linkplain #concurrency concurrency}
     * (the limit holds). Its messages stay in flight until then too, kept invisible by the heartbeat, and
     * the retry policy's delay starts when the handler returns: a message is not handled again beside its
     * stuck handler, and on a FIFO queue its group waits for it (the messages behind it are released when
     * it returns: a group does not run two handlers at once, across consumers too). That holds as long as
     * the heartbeat may extend the message, up to {@link #maxVisibilityExtension} (12 hours by default):
     * a handler that never returns holds its message that long, and then it is received again. On virtual threads (the
     * semaphore worker) a handler that computes without ever blocking or looking at its interrupt also keeps
     * a carrier thread; while such handlers hold every carrier, the failure is reported once one frees. Give
     * handlers a timeout of their own on every call that may hang; this one is the backstop for those that
     * do not.
     *
     * @param handlerTimeout the longest handler call, 1 millisecond to 12 hours, or zero for no
     *     limit; never null
     * @return this builder
     */
    public Builder handlerTimeout(Duration handlerTimeout) {
      this.handlerTimeout = Objects.requireNonNull(handlerTimeout, "handlerTimeout");
      return this;
    }

    /**
     * How long receives may keep failing before {@link Consumer#health()} reports the consumer unhealthy, 1
     * second to 1 day; default 1 minute: a dozen retries with the pollers' backoff (at most 5 seconds), so
     * a throttled or reset receive or a short network glitch passes unnoticed while a consumer cut off from
     * SQS is reported within a typical probe period. A receive left unanswered 5 seconds past its wait
     * time counts as failing from then on (see {@link ConsumerHealth}).
     *
     * @param unhealthyAfter how long receives may fail before the consumer is unhealthy, 1 second to
     *     1 day; never null
     * @return this builder
     */
    public Builder unhealthyAfter(Duration unhealthyAfter) {
      this.unhealthyAfter = Objects.requireNonNull(unhealthyAfter, "unhealthyAfter");
      return this;
    }

    /**
     * The system attributes the handler reads from {@link Message#attributes()}, asked for with every
     * receive; replaces the names set before. Default: every one {@link Message} names a constant for
     * ({@code ApproximateReceiveCount}, {@code SentTimestamp}, {@code ApproximateFirstReceiveTimestamp},
     * {@code MessageGroupId}, {@code MessageDeduplicationId}, {@code SequenceNumber}), so its accessors
     * work; others, such as {@code SenderId}, arrive only when named here, or with
     * {@value io.github.sqsconsumer.spi.ReceiveAttributes#ALL} for every one. Whatever is set, a receive
     * also asks for what the consumer itself needs ({@code ApproximateReceiveCount} and
     * {@code MessageGroupId}) and what each {@linkplain #hook hook} reads
     * ({@link HandlerHook#systemAttributeNames()}); a message carries only attributes asked for.
     *
     * @param names attribute names, none blank; none for only what the consumer and its hooks need
     * @return this builder
     */
    public Builder systemAttributeNames(String... names) {
      this.systemAttributeNames = names(names, "systemAttributeNames");
      return this;
    }

    /**
     * Lets the concurrency adapt between {@code min} and the {@linkplain #concurrency concurrency}, its maximum,
     * from what the consumer observes: the handler's time against its recent normal, and failures that say
     * the downstream is overloaded ({@link #overloadOn}, {@link #overloadWhen}). Default off: the
     * concurrency is fixed. The limit starts at {@code min} and doubles per handler time until the latency
     * grows or an overload is seen (slow start); then, per round of calls (two handler times' worth at the
     * limit), it grows by about 5 % while the median handler time stays within 5 % of its normal, holds within
     * 15 %, shrinks by up to 20 % after two slower rounds in a row, and by 30 % after a round with an
     * overload. The worker is sized for the maximum; the limit is a hard limit on
     * the units that run ({@link Consumer#concurrencyLimit()}), and the consumer receives only what the
     * current limit and its prefetch allow. Each change is logged at DEBUG and told to
     * {@link ConsumerListener#onConcurrencyLimitChanged}.
     *
     * @param min the lowest limit, 1 to the concurrency (checked at {@link #build()})
     * @return this builder
     */
    public Builder adaptiveConcurrency(int min) {
      this.adaptiveMin = min;
      return this;
    }

    /**
     * The message attributes (the sender's own) the handler reads from {@link Message#messageAttributes()},
     * asked for with every receive; replaces the names set before. A name may end in {@code .*} for every
     * attribute with that prefix. Default {@value io.github.sqsconsumer.spi.ReceiveAttributes#ALL}: every
     * message attribute, so a handler reading them gets them without configuring anything; name the ones it
     * reads (or none) so receives do not carry the others. Whatever is set, a receive also asks for what
     * each {@linkplain #hook hook} reads ({@link HandlerHook#messageAttributeNames()}, such as the trace
     * context of the tracing hook); a message carries only attributes asked for.
     *
     * @param names attribute names or prefixes, none blank; none for only what the hooks need
     * @return this builder
     */
    public Builder messageAttributeNames(String... names) {
      this.messageAttributeNames = names(names, "messageAttributeNames");
      return this;
    }

    private static Set<String> names(String[] names, String setting) {
      Objects.requireNonNull(names, setting);
      for (String name : names) {
        Objects.requireNonNull(name, setting);
        Checks.requireArgument(!name.isBlank(), "%s must not be blank but one was '%s'", setting, name);
      }
      return Set.copyOf(List.of(names)); // duplicates allowed
    }

    /**
     * Failures that mean the downstream is overloaded (a throttling or "too many requests" exception of its
     * client), for {@linkplain #adaptiveConcurrency adaptive concurrency}: a handler failure (or a batch
     * failure, or one message's failure in a {@link BatchResult}) that is an instance of one of these, or
     * has one as a cause, lowers the limit. Adds to the types given before; default none. Only with
     * {@link #adaptiveConcurrency}, else {@link #build()} fails.
     *
     * @param types never null, nor any of them
     * @return this builder
     */
    @SafeVarargs
    public final Builder overloadOn(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> type : Objects.requireNonNull(types, "types")) {
        overloadOn.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * A test of handler failures that mean the downstream is overloaded, for
     * {@linkplain #adaptiveConcurrency adaptive concurrency}, beside {@link #overloadOn}: for a status code
     * inside an exception, say. Called on the handler's thread with each failure; one that throws counts as
     * false (logged at WARN once). Replaces a test given before; default none. Only with
     * {@link #adaptiveConcurrency}, else {@link #build()} fails.
     *
     * @param overloaded never null; may be called concurrently
     * @return this builder
     */
    public Builder overloadWhen(Predicate<Throwable> overloaded) {
      this.overloadWhen = Objects.requireNonNull(overloaded, "overloadWhen");
      return this;
    }

    /**
     * Chooses the runner by name, such as {@code sqs}; default the only one present. Replaces a runner given
     * with {@link #runner(RunnerProvider)}.
     *
     * @param name the runner's name as its provider gives it; never null
     * @return this builder
     */
    public Builder runner(String name) {
      this.runner = Objects.requireNonNull(name, "runner");
      this.runnerProvider = null;
      return this;
    }

    /**
     * Uses this runner provider, found by no search: for a runner that is not registered as a service, such
     * as the test kit's in-memory one ({@code InMemoryQueue.runner()}). Neither the system property
     * {@code io.github.sqsconsumer.runner} nor the runners on the path then matter. Replaces a runner chosen
     * with {@link #runner(String)}.
     *
     * @param provider never null; {@link #build()} calls its {@code create} once
     * @return this builder
     */
    public Builder runner(RunnerProvider provider) {
      this.runnerProvider = Objects.requireNonNull(provider, "runner");
      this.runner = null;
      return this;
    }

    /**
     * Chooses the worker by name, {@code semaphore} or {@code pool}; default the only one present.
     *
     * @param name the worker's name as its provider gives it; never null
     * @return this builder
     */
    public Builder worker(String name) {
      this.worker = Objects.requireNonNull(name, "worker");
      return this;
    }

    /**
     * Chooses the harvester by name, {@code batch} or {@code direct}; default the only one present.
     *
     * @param name the harvester's name as its provider gives it; never null
     * @return this builder
     */
    public Builder harvester(String name) {
      this.harvester = Objects.requireNonNull(name, "harvester");
      return this;
    }

    /**
     * Sets a part-specific setting, such as {@code sqs.endpoint} or {@code batch.maxWait}; each part
     * documents its own, named after the part. A setting not given here is read from the system property
     * {@code io.github.sqsconsumer.<key>}, once, at {@link #build()}.
     *
     * <p>{@link #build()} checks every setting's key and value:
     * <ul>
     *   <li>a setting given here must be one the chosen runner, worker or harvester reads: a misspelled key,
     *       or one for a part not chosen, fails, since it would change nothing;</li>
     *   <li>a system property for a chosen part ({@code io.github.sqsconsumer.pool.*} when the worker is
     *       {@code pool}) must be one that part reads; system properties for parts not chosen are
     *       ignored, so a deployment may set them for every consumer in the JVM, and settings for a part
     *       that only some deployments choose belong there.</li>
     * </ul>
     *
     * @param key the setting's key without the {@code io.github.sqsconsumer.} prefix, such as
     *     {@code batch.maxWait}; never null
     * @param value the value as text, parsed and checked by the part at {@link #build()}; never null.
     *     Durations are a whole number with a unit ({@code 100ms}, {@code 5s}, {@code 2m}, {@code 1h}),
     *     ISO-8601 ({@code PT0.5S}), or {@code 0}; numbers are decimal integers; flags {@code true} or
     *     {@code false}
     * @return this builder
     */
    public Builder setting(String key, String value) {
      settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Hands an object to the parts, found by its type; which types a part reads is in its module's
     * documentation (the {@code sqs} runner reads an {@code SqsAsyncClient}, used instead of one of its
     * own).
     *
     * @param <T> the type the parts look the object up by
     * @param type the type the parts look the object up by; never null
     * @param value an instance of {@code type}, owned by the caller (the {@code sqs} runner leaves a given
     *     client open); never null
     * @return this builder
     */
    public <T> Builder component(Class<T> type, T value) {
      components.put(Objects.requireNonNull(type, "type"), type.cast(Objects.requireNonNull(value, "value")));
      return this;
    }

    /**
     * Checks every setting, finds the parts and returns a consumer in state {@link State#NEW}.
     *
     * @return a new consumer in state {@link State#NEW}; never null
     * @throws IllegalArgumentException if a setting is out of range, naming it, the bad value and its
     *     allowed range, including the parts' settings ({@link #setting}); or if a part setting is one no
     *     chosen part reads, naming it and the settings the parts do read
     * @throws IllegalStateException if a required setting is missing
     * @throws ConsumerException if a part cannot be found or chosen, saying what was found and how to choose
     */
    public Consumer build() {
      return DefaultConsumer.create(validate()).attachHooks();
    }

    /**
     * Checks every setting and returns them as an immutable snapshot, which is all a consumer reads: the
     * builder may be changed and built again without touching what it built before. Package-private for
     * tests.
     */
    ConsumerConfig validate() {
      return new ConsumerConfig(name, queue, handler, batchHandler, batchSize, batchWindow, batchMaxBytes,
          concurrency, effectivePrefetch(),
          waitTime, shutdownTimeout, maxVisibilityExtension, visibilityTimeout, rateLimit, retryPolicy,
          acknowledgeMode, listeners, hooks, mdc, runner, runnerProvider, worker, harvester, settings, components,
          handlerTimeout, unhealthyAfter, ReceiveAttributes.of(systemAttributeNames, messageAttributeNames),
          adaptive());
    }

    /** The adaptive concurrency asked for, or null; overload signals need it. */
    private ConsumerConfig.Adaptive adaptive() {
      if (adaptiveMin == null) {
        Checks.requireState(overloadOn.isEmpty() && overloadWhen == null,
            "overloadOn and overloadWhen need adaptiveConcurrency(min)");
        return null;
      }
      for (Class<?> type : overloadOn) { // generics are gone at run time: a raw Class may name anything
        Checks.requireArgument(Throwable.class.isAssignableFrom(type),
            "overloadOn must name Throwable types but was %s", type.getName());
      }
      return new ConsumerConfig.Adaptive(adaptiveMin, overloadOn, overloadWhen);
    }

    /**
     * The prefetch asked for, or the default for the concurrency; the one source of that default. With a
     * batching window the default covers one batch too, so the next batch gathers while the handlers run.
     */
    int effectivePrefetch() {
      if (prefetch != null) {
        return prefetch;
      }
      int ahead = Math.max(10, 6 * concurrency);
      if (batchHandler != null && !batchWindow.isZero()) {
        ahead = Math.max(ahead, batchSize);
      }
      return Math.min(ConsumerConfig.MAX_PREFETCH, ahead);
    }
  }
}
