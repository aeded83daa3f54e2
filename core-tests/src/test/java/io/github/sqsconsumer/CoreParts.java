package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterCallback;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import io.github.sqsconsumer.spi.WorkerProvider;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.HarvesterContext;

/**
 * Parts for tests of the core's internals (Engine, Heartbeat, InFlight) against the real in-memory queue.
 *
 * <p>These tests live in core-tests, in the core's package, because the api module cannot depend on testkit
 * (where the in-memory queue lives) and testkit is a named module that may not split the core's package;
 * core-tests run on the class path, so the package-private core is reachable. The worker and harvester here
 * are the smallest that keep their SPI contracts: the real ones depend on testkit for their own tests.
 */
final class CoreParts {
  private CoreParts() {}

  /**
   * A runner that receives from an in-memory queue and sends the rest to a port (the queue itself, or a
   * {@code ScriptedQueuePort} that records the order of the changes); it can hold visibility batches back,
   * as a slow network would.
   */
  static final class QueueRunner extends ForwardingPort implements Runner {
    final InMemoryQueue queue;
    private final List<Runnable> heldBatches = new ArrayList<>(); // guarded by this
    private boolean holdBatches; // guarded by this

    QueueRunner(InMemoryQueue queue) {
      this(queue, queue);
    }

    QueueRunner(InMemoryQueue queue, QueuePort port) {
      super(port);
      this.queue = queue;
    }

    /** From now on visibility batches neither reach the queue nor are answered until {@link #sendHeld}. */
    synchronized void holdVisibilityBatches() {
      holdBatches = true;
    }

    /** Lets the held visibility batches reach the queue now, in order, and answers them. */
    void sendHeld() {
      List<Runnable> toSend;
      synchronized (this) {
        holdBatches = false;
        toSend = List.copyOf(heldBatches);
        heldBatches.clear();
      }
      toSend.forEach(Runnable::run);
    }

    @Override
    public QueueInfo open() {
      return new QueueInfo("memory://" + queue.name(), queue.isFifo(), queue.visibilityTimeout());
    }

    @Override
    public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout) {
      return queue.receive(maxMessages, waitTime, visibilityTimeout);
    }

    @Override
    public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
      synchronized (this) {
        if (holdBatches) {
          CompletableFuture<BatchReply> reply = new CompletableFuture<>();
          heldBatches.add(() -> delegate.changeVisibilityBatch(changes).whenComplete((r, e) -> {
            if (e != null) {
              reply.completeExceptionally(e);
            } else {
              reply.complete(r);
            }
          }));
          return reply;
        }
      }
      return delegate.changeVisibilityBatch(changes);
    }

    @Override
    public void close() {}
  }

  /** Passes every call on to {@code delegate}; subclasses override what they change. */
  static class ForwardingPort implements QueuePort {
    final QueuePort delegate;

    ForwardingPort(QueuePort delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
      return delegate.deleteBatch(messages);
    }

    @Override
    public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
      return delegate.changeVisibilityBatch(changes);
    }

    @Override
    public CompletableFuture<Void> delete(Message message) {
      return delegate.delete(message);
    }

    @Override
    public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
      return delegate.changeVisibility(message, visibility);
    }
  }

  /** Takes every unit and runs none until told to: messages received and waiting for a worker. */
  static final class HoldingWorker implements Worker {
    final ConcurrentLinkedQueue<WorkUnit> held = new ConcurrentLinkedQueue<>();
    final Semaphore taken = new Semaphore(0);

    @Override
    public boolean submit(WorkUnit unit, Duration timeout) {
      held.add(unit);
      taken.release(unit.messages().size());
      return true;
    }

    @Override
    public List<WorkUnit> shutdown(Duration timeout) {
      List<WorkUnit> left = new ArrayList<>(held);
      held.clear();
      return left;
    }

    @Override
    public int active() {
      return 0;
    }

    @Override
    public int waiting() {
      return held.size();
    }

    @Override
    public int threads() {
      return 0;
    }
  }

  /**
   * A virtual thread per unit behind a semaphore: the smallest worker that keeps the Worker contract, for
   * whole consumers over the in-memory queue. {@link #accepting} lets a test fail a submit.
   */
  static class ThreadWorker implements Worker {
    private final int concurrency;
    private final Semaphore permits;
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean shutdown;

    ThreadWorker(int concurrency) {
      this.concurrency = concurrency;
      this.permits = new Semaphore(concurrency);
    }

    /** Called first by every submit, on the submitting thread; may throw what a broken worker would. */
    void accepting(WorkUnit unit) {}

    @Override
    public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
      if (shutdown) {
        throw new RejectedExecutionException("shut down");
      }
      accepting(unit);
      if (!permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      active.incrementAndGet();
      Thread.ofVirtual().start(() -> {
        try {
          unit.run();
        } finally {
          active.decrementAndGet();
          permits.release();
        }
      });
      return true;
    }

    @Override
    public List<WorkUnit> shutdown(Duration timeout) {
      shutdown = true;
      try {
        if (permits.tryAcquire(concurrency, timeout.toNanos(), TimeUnit.NANOSECONDS)) { // every unit ended
          permits.release(concurrency);
        }
      } catch (InterruptedException e) { // as the contract says: keep the status, return what is unstarted
        Thread.currentThread().interrupt();
      }
      return List.of();
    }

    @Override
    public int active() {
      return active.get();
    }

    @Override
    public int waiting() {
      return 0;
    }

    @Override
    public int threads() {
      return active.get();
    }
  }

  /** A provider that hands out workers made by {@code factory}, for DefaultConsumer.create. */
  static WorkerProvider workerProvider(IntFunction<Worker> factory) {
    return new WorkerProvider() {
      @Override
      public String name() {
        return "thread";
      }

      @Override
      public Worker create(WorkerContext context) {
        return factory.apply(context.concurrency());
      }
    };
  }

  /** A provider of {@link SendingHarvester}s, for DefaultConsumer.create. */
  static HarvesterProvider sendingHarvesterProvider() {
    return new HarvesterProvider() {
      @Override
      public String name() {
        return "sending";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        return new SendingHarvester(context.port(), context.callback());
      }
    };
  }

  /**
   * Sends each outcome at once, one message a request, and reports it when the queue answered. Can keep its
   * reports back (a harvester whose replies are slow) and can fail: it throws from {@link #acknowledge} for
   * the messages given to {@link #failAcknowledging}, like a harvester with a bug.
   */
  static final class SendingHarvester implements Harvester {
    private final QueuePort port;
    private final HarvesterCallback callback;
    private final Set<Message> failing = ConcurrentHashMap.newKeySet();
    private final List<Runnable> heldReports = new ArrayList<>(); // guarded by this
    private boolean holdReports; // guarded by this
    final List<Message> acknowledged = new CopyOnWriteArrayList<>();
    final List<Message> released = new CopyOnWriteArrayList<>();

    SendingHarvester(QueuePort port, HarvesterCallback callback) {
      this.port = port;
      this.callback = callback;
    }

    void failAcknowledging(Message message) {
      failing.add(message);
    }

    synchronized void holdReports() {
      holdReports = true;
    }

    void sendHeldReports() {
      List<Runnable> toRun;
      synchronized (this) {
        holdReports = false;
        toRun = List.copyOf(heldReports);
        heldReports.clear();
      }
      toRun.forEach(Runnable::run);
    }

    @Override
    public void acknowledge(Message message) {
      if (failing.contains(message)) {
        throw new IllegalArgumentException("harvester bug on " + message);
      }
      acknowledged.add(message);
      port.delete(message).whenComplete((v, e) -> report(() -> {
        if (e == null) {
          callback.acknowledged(message);
        } else {
          callback.failed(message, e);
        }
      }));
    }

    @Override
    public void release(Message message, Duration visibility) {
      released.add(message);
      port.changeVisibility(message, visibility).whenComplete((v, e) -> report(() -> {
        if (e == null) {
          callback.released(message, visibility);
        } else {
          callback.failed(message, e);
        }
      }));
    }

    private void report(Runnable report) {
      synchronized (this) {
        if (holdReports) {
          heldReports.add(report);
          return;
        }
      }
      report.run();
    }

    @Override
    public void close(Duration timeout) {}
  }

  /** One listener event. */
  record Event(String kind, Message message, Object detail) {}

  /** The detail of an extensionFailed event. */
  record ExtensionFailure(Throwable cause, Duration retryDelay) {}

  /** Records the events that concern the heartbeat and settling. */
  static final class RecordingListener implements ConsumerListener {
    final List<Event> events = new CopyOnWriteArrayList<>();

    List<Event> of(String kind) {
      return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    List<Message> messagesOf(String kind) {
      return of(kind).stream().map(Event::message).toList();
    }

    @Override
    public void onAcknowledged(Message message) {
      events.add(new Event("acknowledged", message, null));
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      events.add(new Event("acknowledgementFailed", message, cause));
    }

    @Override
    public void onReleased(Message message, Duration visibility) {
      events.add(new Event("released", message, visibility));
    }

    @Override
    public void onVisibilityExtended(Message message, Duration visibility) {
      events.add(new Event("extended", message, visibility));
    }

    @Override
    public void onVisibilityExtensionFailed(Message message, Throwable cause, Duration retryDelay) {
      events.add(new Event("extensionFailed", message, new ExtensionFailure(cause, retryDelay)));
    }
  }

  /** Builds an engine over these parts; not started, so no poller or heartbeat thread runs. */
  static Engine engine(Consumer.Builder config, Runner runner, Worker worker, Harvester harvester, InFlight registry,
      ConsumerListener listener) {
    return new Engine(config.queue("q").validate(), runner, runner.open(), worker, harvester, registry, listener);
  }
}
