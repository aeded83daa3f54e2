package io.github.sqsconsumer.micrometer;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.HandlerHook;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.PermanentFailureException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Micrometer metrics for one consumer, built on its {@link HandlerHook} and {@link ConsumerListener}.
 *
 * <pre>{@code
 * Consumer.Builder builder = Consumer.builder().name("orders").queue(url).handler(handler);
 * ConsumerMetrics metrics = ConsumerMetrics.installOn(builder);
 * Consumer consumer = builder.build();
 * metrics.bindTo(registry);   // before start(): events before binding are not counted
 * consumer.start();
 * ...
 * consumer.close();
 * metrics.close();            // removes the meters, where the registry lives on
 * }</pre>
 *
 * <p>Meters, each tagged {@code queue} (the {@linkplain Consumer#queueName() queue's name}) and
 * {@code consumer} (its {@linkplain Consumer#name() name}), plus the tags given to {@link #installOn(
 * Consumer.Builder, Iterable)}; no tag takes a per-message value, so the number of series stays fixed:
 * <ul>
 *   <li>counters {@code sqs.consumer.messages.received}, {@code .succeeded}, {@code .failed} (tag
 *       {@code kind}: {@code transient}, {@code permanent} for a {@link PermanentFailureException}, or
 *       {@code timeout} for a {@link TimeoutException}), {@code .acknowledged} (deleted), {@code .released}
 *       (made visible again), and {@code sqs.consumer.acknowledgement.failures},
 *       {@code sqs.consumer.poll.errors};</li>
 *   <li>timers {@code sqs.consumer.handler.duration} (per handler call: a message, or a batch),
 *       {@code sqs.consumer.time.in.queue} (per message, from its {@code SentTimestamp} to its handler's
 *       start; wall clocks, so skew between the sender's queue and this host shifts it; never negative; the
 *       metrics ask the consumer's receives for that attribute) and
 *       {@code sqs.consumer.receive.to.delete} (per deleted message, from the receive request that brought
 *       it to the queue's confirmation of its delete);</li>
 *   <li>gauges {@code sqs.consumer.messages.in.flight}, {@code sqs.consumer.worker.active},
 *       {@code .waiting}, {@code .threads}, {@code sqs.consumer.prefetch} and
 *       {@code sqs.consumer.concurrency.limit} (the limit that {@linkplain
 *       Consumer.Builder#adaptiveConcurrency adaptive concurrency} moves, else the concurrency): the consumer's
 *       own gauges ({@link Consumer#inFlight()} and the like); {@code sqs.consumer.paused} (1 while
 *       {@linkplain Consumer#pause() paused}, else 0) and {@code sqs.consumer.healthy} (1 while
 *       {@link Consumer#health()} says healthy, else 0: for an alert on a consumer cut off from SQS).</li>
 * </ul>
 *
 * <p>A unit whose handler outlived the {@linkplain Consumer.Builder#handlerTimeout handler timeout} fails
 * with a {@link io.github.sqsconsumer.HandlerTimeoutException}, a {@link TimeoutException}: counted as
 * {@code kind=timeout}.
 *
 * <p>The meters stay in the registry after the consumer closes (a last scrape still reads them), and the
 * gauges keep the consumer reachable. Where the registry outlives its consumers (consumers created and
 * closed while the application runs, an application context restarted on a registry of its own), call
 * {@link #close()} once the consumer closed: it removes this binding's meters.
 *
 * <p>One instance serves one consumer and one registry (bind a {@code CompositeMeterRegistry} to publish
 * to several). Thread-safe: the consumer's threads record concurrently.
 */
public final class ConsumerMetrics implements MeterBinder, AutoCloseable {
  private static final String PREFIX = "sqs.consumer.";

  private final Tags extraTags;
  private volatile Consumer consumer; // set once, by the builder's build() (Hook#attached)
  private volatile Meters meters; // set by bindTo; null again after close
  private MeterRegistry boundTo; // @GuardedBy("this"): the registry of bindTo, until close
  private final List<Meter> registered = new ArrayList<>(); // @GuardedBy("this"): what bindTo registered
  private boolean closed; // @GuardedBy("this")

  private ConsumerMetrics(Tags extraTags) {
    this.extraTags = extraTags;
  }

  /**
   * Installs metrics on the builder (a hook and a listener); the consumer it builds next is the one
   * measured.
   *
   * @param builder never null
   * @return the metrics, to {@linkplain #bindTo bind} once the consumer is built; never null
   */
  public static ConsumerMetrics installOn(Consumer.Builder builder) {
    return installOn(builder, Tags.empty());
  }

  /**
   * Installs metrics on the builder, with these tags added to every meter.
   *
   * @param builder never null
   * @param tags never null; low-cardinality values only
   * @return the metrics, to {@linkplain #bindTo bind} once the consumer is built; never null
   */
  public static ConsumerMetrics installOn(Consumer.Builder builder, Iterable<Tag> tags) {
    ConsumerMetrics metrics = new ConsumerMetrics(Tags.of(Objects.requireNonNull(tags, "tags")));
    Objects.requireNonNull(builder, "builder").hook(metrics.new Hook()).listener(metrics.new Listener());
    return metrics;
  }

  /**
   * Registers the meters. Call once, after the consumer was built and before it starts.
   *
   * @param registry never null
   * @throws IllegalStateException if the consumer was not built yet, the metrics are bound already, or they
   *     were closed
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    Consumer measured = consumer;
    if (measured == null) {
      throw new IllegalStateException("build the consumer before binding its metrics");
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the metrics of consumer '" + measured.name() + "' are closed");
      }
      if (boundTo != null) {
        throw new IllegalStateException("the metrics of consumer '" + measured.name() + "' are bound already");
      }
      Tags tags = Tags.of("queue", measured.queueName(), "consumer", measured.name()).and(extraTags);
      gauge(registry, "messages.in.flight", "messages received and not yet deleted or released", tags, measured,
          Consumer::inFlight);
      gauge(registry, "worker.active", "handler calls running", tags, measured, Consumer::workerActive);
      gauge(registry, "worker.waiting", "handler calls waiting for a worker thread", tags, measured,
          Consumer::workerWaiting);
      gauge(registry, "worker.threads", "threads the worker holds", tags, measured, Consumer::workerThreads);
      gauge(registry, "prefetch", "messages the consumer may receive ahead of a free handler", tags, measured,
          Consumer::prefetch);
      gauge(registry, "concurrency.limit", "handler calls allowed at once now (adaptive concurrency moves it)",
          tags, measured, Consumer::concurrencyLimit);
      gauge(registry, "paused", "1 while receiving is paused, else 0", tags, measured,
          c -> c.health().paused() ? 1 : 0);
      gauge(registry, "healthy", "1 while the consumer runs and reaches the queue, else 0", tags, measured,
          c -> c.health().healthy() ? 1 : 0);
      Meters created = new Meters(registry, tags);
      registered.addAll(created.all());
      boundTo = registry;
      meters = created;
    }
  }

  /**
   * Removes the meters {@link #bindTo} registered from the registry and stops recording; call it once the
   * consumer closed. A gauge that a later consumer of the same name and queue registered in its place stays.
   * Counters and timers are shared by name and tags, so while another consumer of the same name and queue is
   * bound to the same registry, theirs are removed too: close the metrics of a consumer before binding
   * those of its successor, and give consumers measured side by side distinct names. Idempotent; metrics
   * never bound only become closed.
   */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      meters = null;
      if (boundTo != null) {
        for (Meter meter : registered) {
          removeIfStillRegistered(boundTo, meter);
        }
        registered.clear();
        boundTo = null;
      }
    }
  }

  /** Removes {@code meter}, unless the registry holds another meter under its id now (a successor's gauge). */
  private static void removeIfStillRegistered(MeterRegistry registry, Meter meter) {
    Meter.Id id = meter.getId();
    for (Meter current : registry.find(id.getName()).tags(id.getTags()).meters()) {
      if (current == meter) {
        registry.remove(meter);
        return;
      }
    }
  }

  /**
   * Registers a gauge reading {@code consumer}, under this object's lock. One already registered under the
   * same name and tags (a consumer of the same name and queue before this one, as when an application
   * context restarts) is removed first: Micrometer keeps the first registration of an id and ignores later
   * ones, so the gauge would go on reading that closed consumer. Counters and timers are shared by id and
   * keep counting.
   */
  private void gauge(MeterRegistry registry, String name, String description, Tags tags, Consumer consumer,
      ToDoubleFunction<Consumer> value) {
    Set<Tag> exact = tags.stream().collect(Collectors.toSet());
    for (Gauge earlier : registry.find(PREFIX + name).tags(tags).gauges()) {
      if (Set.copyOf(earlier.getId().getTags()).equals(exact)) {
        registry.remove(earlier);
      }
    }
    registered.add(Gauge.builder(PREFIX + name, consumer, value).description(description).tags(tags)
        .strongReference(true).register(registry));
  }

  /** The meters recorded per event; registered once. */
  private static final class Meters {
    final Counter received;
    final Counter succeeded;
    final Counter failedTransient;
    final Counter failedPermanent;
    final Counter failedTimeout;
    final Counter acknowledged;
    final Counter released;
    final Counter acknowledgementFailures;
    final Counter pollErrors;
    final Timer handlerDuration;
    final Timer timeInQueue;
    final Timer receiveToDelete;

    Meters(MeterRegistry registry, Tags tags) {
      received = counter(registry, "messages.received", "messages received", tags);
      succeeded = counter(registry, "messages.succeeded", "messages whose handler returned", tags);
      failedTransient = failed(registry, "transient", tags);
      failedPermanent = failed(registry, "permanent", tags);
      failedTimeout = failed(registry, "timeout", tags);
      acknowledged = counter(registry, "messages.acknowledged", "messages deleted from the queue", tags);
      released = counter(registry, "messages.released", "messages made visible again", tags);
      acknowledgementFailures = counter(registry, "acknowledgement.failures",
          "deletes or releases that failed for good (the message comes back)", tags);
      pollErrors = counter(registry, "poll.errors", "failed receives", tags);
      handlerDuration = timer(registry, "handler.duration", "time in the handler, per message or batch", tags);
      timeInQueue = timer(registry, "time.in.queue", "from the message's send to its handler's start", tags);
      receiveToDelete = timer(registry, "receive.to.delete", "from the receive request to the delete", tags);
    }

    private static Counter counter(MeterRegistry registry, String name, String description, Tags tags) {
      return Counter.builder(PREFIX + name).description(description).baseUnit("messages").tags(tags)
          .register(registry);
    }

    private static Counter failed(MeterRegistry registry, String kind, Tags tags) {
      return Counter.builder(PREFIX + "messages.failed").description("messages whose handler failed")
          .baseUnit("messages").tags(tags).tag("kind", kind).register(registry);
    }

    private static Timer timer(MeterRegistry registry, String name, String description, Tags tags) {
      return Timer.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }

    List<Meter> all() {
      return List.of(received, succeeded, failedTransient, failedPermanent, failedTimeout, acknowledged, released,
          acknowledgementFailures, pollErrors, handlerDuration, timeInQueue, receiveToDelete);
    }

    Counter failedOf(Throwable cause) {
      return cause instanceof PermanentFailureException ? failedPermanent
          : cause instanceof TimeoutException ? failedTimeout : failedTransient;
    }
  }

  /** Times handler calls and the time in queue. */
  private final class Hook implements HandlerHook {
    @Override
    public void attached(Consumer attachedTo) {
      synchronized (ConsumerMetrics.this) {
        if (consumer != null) {
          throw new IllegalStateException("these metrics measure consumer '" + consumer.name()
              + "' already: a builder's hooks serve every consumer it builds; install a new ConsumerMetrics on "
              + "a fresh builder for each consumer, such as a copy() of a template builder");
        }
        consumer = attachedTo;
      }
    }

    /** Asks for the send time, for {@code sqs.consumer.time.in.queue}. */
    @Override
    public Set<String> systemAttributeNames() {
      return Set.of(Message.SENT_TIMESTAMP);
    }

    /**
     * Records each message's time in queue, with one wall-clock read for the unit (taken only if a message
     * carries its send time), and returns the handler's start on the monotonic clock.
     */
    @Override
    public Object before(List<Message> messages) {
      Meters m = meters;
      if (m == null) {
        return null;
      }
      long now = -1; // the wall clock, read once for the unit
      for (int i = 0, n = messages.size(); i < n; i++) { // the unit's list is random-access: no iterator
        long sent = epochMillis(messages.get(i).attributes().get(Message.SENT_TIMESTAMP));
        if (sent >= 0) {
          now = now >= 0 ? now : System.currentTimeMillis();
          m.timeInQueue.record(Math.max(0, now - sent), TimeUnit.MILLISECONDS); // [never negative]
        }
      }
      return System.nanoTime();
    }

    @Override
    public void after(List<Message> messages, Object state, Throwable failure, BatchResult result) {
      Meters m = meters;
      if (m != null && state instanceof Long start) {
        m.handlerDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Returns the milliseconds in {@code value} (SQS's SentTimestamp: decimal digits), or -1 when it is
   * missing or not a time; without Long.parseLong's exception for what is not one.
   */
  static long epochMillis(String value) {
    if (value == null || value.isEmpty() || value.length() > 18) { // 18 digits: no overflow, far past 2100
      return -1;
    }
    long millis = 0;
    for (int i = 0; i < value.length(); i++) {
      int digit = value.charAt(i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      millis = millis * 10 + digit;
    }
    return millis;
  }

  /** Counts the consumer's events. */
  private final class Listener implements ConsumerListener {
    @Override
    public void onReceived(Message message) {
      Meters m = meters;
      if (m != null) {
        m.received.increment();
      }
    }

    @Override
    public void onSucceeded(Message message, Duration handlerTime) {
      Meters m = meters;
      if (m != null) {
        m.succeeded.increment();
      }
    }

    @Override
    public void onFailed(Message message, Throwable cause, Duration retryDelay) {
      Meters m = meters;
      if (m != null) {
        m.failedOf(cause).increment();
      }
    }

    @Override
    public void onDiscarded(Message message, Throwable cause) {
      Meters m = meters;
      if (m != null) {
        m.failedPermanent.increment();
      }
    }

    @Override
    public void onAcknowledged(Message message, Duration sinceReceived) {
      Meters m = meters;
      if (m != null) {
        m.acknowledged.increment();
        m.receiveToDelete.record(sinceReceived);
      }
    }

    @Override
    public void onReleased(Message message, Duration visibility) {
      Meters m = meters;
      if (m != null) {
        m.released.increment();
      }
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      Meters m = meters;
      if (m != null) {
        m.acknowledgementFailures.increment();
      }
    }

    @Override
    public void onPollError(Throwable cause, Duration backoff) {
      Meters m = meters;
      if (m != null) {
        m.pollErrors.increment();
      }
    }
  }
}
