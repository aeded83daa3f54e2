package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.BatchReply;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.VisibilityChange;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Minimal parts for the core's unit tests, which cannot use the real modules (they depend on the api):
 * a list-backed runner, a virtual-thread worker and a harvester that settles at once. The real parts are
 * tested together in the it module.
 */
final class TestParts {
  private TestParts() {}

  static Message message(int i) {
    return Message.builder().id("m" + i).body("body " + i).receiptHandle("r" + i).build();
  }

  /** A listener that counts {@code settled} down once per message deleted or released. */
  static ConsumerListener countingSettled(java.util.concurrent.CountDownLatch settled) {
    return new ConsumerListener() {
      @Override
      public void onAcknowledged(Message message) {
        settled.countDown();
      }

      @Override
      public void onReleased(Message message, Duration visibility) {
        settled.countDown();
      }
    };
  }

  /** A user's throwable that cannot describe itself: its getMessage (and so toString) throws. */
  static final class Undescribable extends RuntimeException {
    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage broke (test)");
    }
  }

  /** Waits up to 10 seconds for {@code condition}, failing the test if it does not come. */
  static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("the condition did not come within 10 s");
      }
      Thread.sleep(5);
    }
  }

  /** How a runner's receive can break its promise. */
  enum Breach {
    /** The future completes with null. */
    NULL,
    /** Three messages more than asked. */
    MORE_THAN_ASKED,
    /** A null element first. */
    NULL_AMONG_THEM
  }

  /** A queue in a list: receive takes from it; delete records; release puts back. */
  static final class ListRunner implements Runner {
    final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
    final Set<String> deleted = ConcurrentHashMap.newKeySet();
    final Map<String, Duration> released = new ConcurrentHashMap<>();
    final AtomicInteger transientOpenFailures = new AtomicInteger();
    /** This many receive calls throw an Error themselves instead of failing their future (a broken runner). */
    final AtomicInteger receiveErrors = new AtomicInteger();
    /** Counts receive calls. */
    final AtomicInteger receives = new AtomicInteger();
    /** How the next brokenAnswers receives break Runner#receive's promise (a user's runner with a bug). */
    volatile Breach breach = Breach.NULL;
    final AtomicInteger brokenAnswers = new AtomicInteger();
    /** Run at the start of each receive call, on the caller's thread, if set. */
    volatile Runnable onReceive;
    /** Answers an empty queue at once, whatever the wait time, as a server that does not long-poll. */
    volatile boolean emptyAtOnce;
    /** When set, receives that bring messages answer after this delay, as over a network; else at once. */
    volatile Duration roundTrip;
    volatile boolean missing;
    /** Reports the queue as FIFO (whatever its name says). */
    volatile boolean fifo;
    volatile boolean closed;
    /** Thrown by close(), once it has marked the runner closed. */
    volatile RuntimeException closeFailure;
    volatile boolean created; // by its provider's create, which start() calls

    /** Run at the start of each open call, on the caller's thread, if set (a queue slow to answer). */
    volatile Runnable onOpen;

    @Override
    public QueueInfo open() {
      Runnable hook = onOpen;
      if (hook != null) {
        hook.run();
      }
      if (missing) {
        throw new QueueException(QueueException.Kind.FATAL, "QueueDoesNotExist", "queue 'orders' does not exist", null);
      }
      if (transientOpenFailures.getAndDecrement() > 0) {
        throw new QueueException(QueueException.Kind.TRANSIENT, "ServiceUnavailable", "try again", null);
      }
      return new QueueInfo("test://orders", fifo, Duration.ofSeconds(30));
    }

    @Override
    public CompletableFuture<List<Message>> receive(int maxMessages, Duration waitTime, Duration visibilityTimeout) {
      receives.incrementAndGet();
      Runnable hook = onReceive;
      if (hook != null) {
        hook.run();
      }
      if (receiveErrors.getAndDecrement() > 0) {
        throw new AssertionError("a runner bug");
      }
      List<Message> batch = new ArrayList<>();
      Message m;
      boolean broken = brokenAnswers.getAndDecrement() > 0;
      if (broken && breach == Breach.NULL) {
        return CompletableFuture.completedFuture(null);
      }
      int most = broken && breach == Breach.MORE_THAN_ASKED ? maxMessages + 3 : maxMessages;
      while (batch.size() < most && (m = queue.poll()) != null) {
        batch.add(m);
      }
      if (broken && breach == Breach.NULL_AMONG_THEM) {
        batch.add(0, null);
      }
      Duration delay = roundTrip;
      if (!batch.isEmpty() && delay != null) {
        return CompletableFuture.supplyAsync(() -> batch,
            CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS));
      }
      if (!batch.isEmpty() || emptyAtOnce) {
        return CompletableFuture.completedFuture(batch);
      }
      // an empty long poll: answers after a short while, or when cancelled
      return CompletableFuture.supplyAsync(List::of,
          CompletableFuture.delayedExecutor(Math.min(waitTime.toMillis(), 20), TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<BatchReply> deleteBatch(List<Message> messages) {
      messages.forEach(m -> deleted.add(m.id()));
      return CompletableFuture.completedFuture(BatchReply.ok());
    }

    @Override
    public CompletableFuture<BatchReply> changeVisibilityBatch(List<VisibilityChange> changes) {
      return CompletableFuture.completedFuture(BatchReply.ok());
    }

    @Override
    public CompletableFuture<Void> delete(Message message) {
      deleted.add(message.id());
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> changeVisibility(Message message, Duration visibility) {
      released.put(message.id(), visibility);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
      closed = true;
      if (closeFailure != null) {
        throw closeFailure;
      }
    }
  }

  /** A virtual thread per unit behind a semaphore; records the most units seen running at once. */
  static final class ThreadWorker implements Worker {
    final Semaphore permits;
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger maxActive = new AtomicInteger();
    final Set<Thread> running = ConcurrentHashMap.newKeySet();
    volatile boolean shutdown;

    ThreadWorker(int concurrency) {
      permits = new Semaphore(concurrency);
    }

    @Override
    public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
      if (shutdown) {
        throw new java.util.concurrent.RejectedExecutionException("shut down");
      }
      if (!permits.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      // Regression: a submit that waited for a permit while shutdown() ran started its unit after shutdown()
      // had returned (it saw no unit active in between), so the unit ran after the harvester closed. Counted
      // active before looking at the flag, and the flag set before shutdown() counts: one sees the other.
      maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
      if (shutdown) {
        active.decrementAndGet();
        permits.release();
        throw new java.util.concurrent.RejectedExecutionException("shut down");
      }
      Thread.ofVirtual().start(() -> {
        running.add(Thread.currentThread());
        try {
          unit.run();
        } finally {
          active.decrementAndGet();
          running.remove(Thread.currentThread());
          permits.release();
        }
      });
      return true;
    }

    @Override
    public List<WorkUnit> shutdown(Duration timeout) {
      shutdown = true;
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (active.get() > 0 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
      } catch (InterruptedException e) { // as the contract says: the timeout ran out at once
        Thread.currentThread().interrupt();
      }
      running.forEach(Thread::interrupt);
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

  /**
   * A worker whose every submit throws an OutOfMemoryError, as one that cannot start a thread; counts the
   * submits. Holds nothing, so its shutdown hands back nothing.
   */
  static final class ThrowingWorker implements Worker {
    final AtomicInteger submits = new AtomicInteger();

    @Override
    public boolean submit(WorkUnit unit, Duration timeout) {
      submits.incrementAndGet();
      throw new OutOfMemoryError("unable to create native thread (test)");
    }

    @Override
    public List<WorkUnit> shutdown(Duration timeout) {
      return List.of();
    }

    @Override
    public int active() {
      return 0;
    }

    @Override
    public int waiting() {
      return 0;
    }

    @Override
    public int threads() {
      return 0;
    }
  }

  /**
   * Runs the first {@code concurrency} units it accepts and parks the next {@code room} ones until
   * shutdown hands them back unstarted: a worker with a waiting room that never drains.
   */
  static final class ParkingWorker implements Worker {
    final int concurrency;
    final int room;
    final List<WorkUnit> parked = new ArrayList<>(); // guarded by this
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    int accepted; // guarded by this
    volatile boolean shutdown;

    ParkingWorker(int concurrency, int room) {
      this.concurrency = concurrency;
      this.room = room;
    }

    @Override
    public boolean submit(WorkUnit unit, Duration timeout) throws InterruptedException {
      synchronized (this) {
        if (shutdown) {
          throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        if (accepted < concurrency) {
          accepted++;
          Thread thread = Thread.ofVirtual().unstarted(() -> {
            try {
              unit.run();
            } finally {
              threads.remove(Thread.currentThread());
            }
          });
          threads.add(thread);
          thread.start();
          return true;
        }
        if (accepted < concurrency + room) {
          accepted++;
          parked.add(unit);
          return true;
        }
      }
      Thread.sleep(timeout); // full: wait out the timeout (interruptibly), like a real worker
      return false;
    }

    synchronized int parked() {
      return parked.size();
    }

    @Override
    public List<WorkUnit> shutdown(Duration timeout) {
      List<WorkUnit> unstarted;
      synchronized (this) {
        if (shutdown) {
          return List.of();
        }
        shutdown = true;
        unstarted = List.copyOf(parked);
        parked.clear();
      }
      boolean interrupted = false;
      for (Thread thread : threads) {
        try {
          if (interrupted || !thread.join(timeout)) {
            thread.interrupt();
          }
        } catch (InterruptedException e) { // as the contract says: the timeout ran out at once
          interrupted = true;
          thread.interrupt();
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return unstarted;
    }

    @Override
    public int active() {
      return threads.size();
    }

    @Override
    public synchronized int waiting() {
      return parked.size();
    }

    @Override
    public int threads() {
      return threads.size();
    }
  }

  /**
   * Deletes and releases one message at a time through the port, and reports at once; or, with
   * {@code deferAcknowledgements}, keeps deletes until close, which gives up on them (reports them failed)
   * if the closing thread is interrupted, as a real harvester's wait would.
   */
  static final class DirectHarvester implements Harvester {
    final HarvesterContext context;
    final boolean deferAcknowledgements;
    final ConcurrentLinkedQueue<Message> pending = new ConcurrentLinkedQueue<>();
    volatile boolean closed;
    volatile boolean created; // by its provider's create, which start() calls

    DirectHarvester(HarvesterContext context) {
      this(context, false);
    }

    DirectHarvester(HarvesterContext context, boolean deferAcknowledgements) {
      this.context = context;
      this.deferAcknowledgements = deferAcknowledgements;
    }

    @Override
    public void acknowledge(Message message) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (deferAcknowledgements) {
        pending.add(message);
        return;
      }
      context.port().delete(message).join();
      context.callback().acknowledged(message);
    }

    @Override
    public void release(Message message, Duration visibility) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      context.port().changeVisibility(message, visibility).join();
      context.callback().released(message, visibility);
    }

    @Override
    public void close(Duration timeout) throws InterruptedException {
      closed = true;
      boolean interrupted = Thread.interrupted();
      for (Message message; (message = pending.poll()) != null; ) {
        if (interrupted) {
          context.callback().failed(message, new InterruptedException());
        } else {
          context.port().delete(message).join();
          context.callback().acknowledged(message);
        }
      }
      if (interrupted) {
        throw new InterruptedException("interrupted while flushing");
      }
    }
  }

  static RunnerProvider runner(ListRunner runner) {
    return new RunnerProvider() {
      @Override
      public String name() {
        return "list";
      }

      @Override
      public Runner create(RunnerContext context) {
        runner.created = true;
        return runner;
      }
    };
  }

  static WorkerProvider worker(ThreadWorker[] created) {
    return new WorkerProvider() {
      @Override
      public String name() {
        return "thread";
      }

      @Override
      public Worker create(WorkerContext context) {
        created[0] = new ThreadWorker(context.concurrency());
        return created[0];
      }
    };
  }

  static HarvesterProvider harvester() {
    return harvester(false);
  }

  /** A provider of {@link DirectHarvester}s; with {@code deferAcknowledgements}, deletes wait for close. */
  static HarvesterProvider harvester(boolean deferAcknowledgements) {
    return new HarvesterProvider() {
      @Override
      public String name() {
        return "direct";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        return new DirectHarvester(context, deferAcknowledgements);
      }
    };
  }

  /** A provider that hands out the given worker. */
  static WorkerProvider worker(Worker worker) {
    return new WorkerProvider() {
      @Override
      public String name() {
        return "given";
      }

      @Override
      public Worker create(WorkerContext context) {
        return worker;
      }
    };
  }
}
