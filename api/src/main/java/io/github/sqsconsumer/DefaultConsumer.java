package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Backoff;
import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer: lifecycle around one {@link Engine} run.
 *
 * <pre>
 * States:
 *   NEW -> STARTING -> RUNNING -> STOPPING -> TERMINATED, and STARTING -> FAILED; NEW -> TERMINATED when
 *   closed unstarted, STARTING -> TERMINATED when closed while connecting. A consumer runs at most once (a second start after close is an error: its parts
 *   are closed).
 * Concurrency:
 *   The lifecycle lock guards state and makes start and close linearizable; it is held through start
 *   (so a concurrent close waits for start to finish, then stops what it started; while start connects,
 *   which on a silent queue takes minutes of SDK retries, close first makes it give up: see open()) but
 *   not through the
 *   drain: a second close waits on the terminated latch instead, so it neither hangs nor returns early.
 *   The worker gauges read a volatile reference to the worker, set once running and cleared before
 *   TERMINATED, so they read zero before start and after close from any thread.
 *   Close is not interruptible (Engine#stop): an interrupt is kept and set again when close returns.
 *   Close called from a handler, a hook or a listener (Handling or SafeListener on the stack) does not
 *   wait: the stop waits for running handlers and for the consumer's own threads (pollers, heartbeat,
 *   the harvester's), the caller's among them, so it would wait out its deadlines and interrupt its
 *   caller. It moves to STOPPING as any close does, stops receiving, and leaves the stop to a thread of
 *   its own. The stack is walked at close only, so handlers pay nothing for it; which consumer's
 *   handler it is does not show there, so a handler that closes another consumer does not wait either.
 * </pre>
 */
final class DefaultConsumer implements Consumer {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultConsumer.class);
  private static final StackWalker FRAMES = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
  /** Transient failures tolerated while connecting at start, before start() gives up. */
  private static final int OPEN_ATTEMPTS = 4;

  private final ConsumerConfig config;
  private final WorkerProvider workerProvider;
  private final HarvesterProvider harvesterProvider;
  private final PartContextImpl context;
  private final RunnerProvider runnerProvider;
  private final SafeListener listener;
  private final InFlight registry;
  private final PauseGate pauseGate = new PauseGate(); // before start too: a consumer may start paused
  private final HealthTracker health;

  private final ReentrantLock lifecycle = new ReentrantLock();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile State state = State.NEW; // written under lifecycle
  private Engine engine; // @GuardedBy("lifecycle")
  private Runner runner; // @GuardedBy("lifecycle"): created by start()
  // the worker while RUNNING or STOPPING, for the gauges; written under lifecycle (and at the end of close)
  private volatile Worker gauges;
  private volatile Engine prefetchGauge; // the engine while RUNNING or STOPPING, like gauges
  /** Set by a close() that came while start() was connecting: start gives up, and close waits for that. */
  private volatile boolean closeDuringStart;
  private final Object openGuard = new Object(); // guards the two fields below
  private Thread opening; // @GuardedBy("openGuard"): the thread in open(), for close() to interrupt
  private boolean interruptedByClose; // @GuardedBy("openGuard"): close() interrupted `opening`
  private boolean interruptedBefore; // @GuardedBy("openGuard"): `opening` was interrupted before close's
  private boolean abortedByClose; // @GuardedBy("lifecycle"): start() gave up for a close()

  private DefaultConsumer(ConsumerConfig config, RunnerProvider runnerProvider, WorkerProvider worker,
      HarvesterProvider harvester) {
    this.config = config;
    this.workerProvider = worker;
    this.harvesterProvider = harvester;
    // every part setting is checked here, at build(): its key against the chosen parts' keys, its value by
    // the part (its provider's validate); start() then creates every part from the same settings
    Settings settings = PartSettings.of(config.settings(), System.getProperties(), List.of(
        new PartSettings.Part("runner", runnerProvider.name(), runnerProvider.settingKeys()),
        new PartSettings.Part("worker", worker.name(), worker.settingKeys()),
        new PartSettings.Part("harvester", harvester.name(), harvester.settingKeys())));
    this.context = new PartContextImpl(config.name(), settings, config.components(), config.queue(),
        config.concurrency(), config.visibilityTimeout(), ReceiveNeeds.of(config), null, null);
    this.listener = SafeListener.of(config.listeners());
    this.registry = new InFlight(listener);
    this.health = new HealthTracker(config.unhealthyAfter());
    this.runnerProvider = runnerProvider;
    runnerProvider.validate(context);
    worker.validate(context);
    harvester.validate(context.withPort(NotRunningPort.INSTANCE, registry, outcomesPerHandlerTime(config)));
    LOG.debug("{}: {}", config.name(), settings);
  }

  /**
   * Tells the hooks which consumer they are on (HandlerHook#attached); a hook that refuses it fails the
   * build, and the consumer built so far is closed.
   */
  Consumer attachHooks() {
    try {
      for (HandlerHook hook : config.hooks()) {
        hook.attached(this);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
    return this;
  }

  /**
   * The harvester's concurrency hint (HarvesterContext#concurrency): the outcomes that arrive per handler
   * time at full speed. With a batch handler the concurrency counts batches, each of up to batchSize
   * messages: a direct harvester sized by units alone took a batch's deletes one at a time, and at close
   * cut off those of a batch that had finished in time.
   */
  private static int outcomesPerHandlerTime(ConsumerConfig config) {
    long perUnit = config.batchHandler() != null ? Math.max(1, config.batchSize()) : 1;
    return (int) Math.min(10_000, config.concurrency() * perUnit);
  }

  static DefaultConsumer create(ConsumerConfig config) {
    RunnerProvider runner = config.runnerProvider() != null ? config.runnerProvider()
        : Providers.choose(RunnerProvider.class, RunnerProvider::name, "runner", config.runner(),
            "sqs-consumer-runner-sqs");
    WorkerProvider worker = Providers.choose(WorkerProvider.class, WorkerProvider::name, "worker",
        config.worker(), "sqs-consumer-worker-semaphore or sqs-consumer-worker-pool");
    HarvesterProvider harvester = Providers.choose(HarvesterProvider.class, HarvesterProvider::name,
        "harvester", config.harvester(), "sqs-consumer-harvester-batch or sqs-consumer-harvester-direct");
    return create(config, runner, worker, harvester);
  }

  /** Creates a consumer with these parts; package-private for tests. */
  static DefaultConsumer create(ConsumerConfig config, RunnerProvider runner, WorkerProvider worker,
      HarvesterProvider harvester) {
    return new DefaultConsumer(config, runner, worker, harvester);
  }

  @Override
  public void start() {
    lifecycle.lock();
    try {
      switch (state) {
        case RUNNING -> {
          return;
        }
        case NEW -> state = State.STARTING;
        case STARTING, STOPPING, TERMINATED, FAILED ->
            throw new IllegalStateException("a consumer can start only once, but it is " + state);
        default -> throw new AssertionError(state);
      }
      Worker worker = null;
      Harvester harvester = null;
      String started;
      try {
        worker = workerProvider.create(context);
        runner = runnerProvider.create(context);
        // [every port answer comes within a deadline]: see DeadlinePort
        harvester = harvesterProvider.create(context.withPort(
            new DeadlinePort(config.name(), runner, DeadlinePort.SEND_DEADLINE), registry,
            outcomesPerHandlerTime(config)));
        QueueInfo queue = open();
        // the providers' names are user code: asked before the engine starts, like everything that may fail
        started = String.format("%s started on %s (%s, worker %s, harvester %s, concurrency %d%s)", config.name(),
            queue.url(), queue.fifo() ? "FIFO" : "standard", workerProvider.name(), harvesterProvider.name(),
            config.concurrency(), batches(config, queue));
        engine = new Engine(config, runner, queue, worker, harvester, registry, listener, pauseGate, health);
        // the last step that may fail: a failed Engine.start stops what it started, and nothing after it
        // throws, so [a failed start leaves no thread running]
        engine.start();
        gauges = worker;
        prefetchGauge = engine;
        state = State.RUNNING;
      } catch (RuntimeException | Error e) {
        state = abortedByClose ? State.TERMINATED : State.FAILED; // closed while connecting: as asked
        try {
          cleanUpFailedStart(worker, harvester, e);
        } finally {
          terminated.countDown(); // [a FAILED consumer's close() returns at once]
        }
        throw e;
      }
      LOG.info("{}", started); // RUNNING already: should logging throw, close() still stops the engine
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * Opens the queue, retrying transient failures. A close() meanwhile interrupts the attempt (the SQS
   * runner's calls end on an interrupt) and makes it give up, so close() keeps its bound while the queue
   * does not answer: [a close during start waits for no connect attempt to time out].
   */
  private QueueInfo open() {
    synchronized (openGuard) {
      opening = Thread.currentThread();
    }
    try {
      Backoff.Sequence backoff = Backoff.of(Duration.ofMillis(250), Duration.ofSeconds(2)).sequence();
      while (true) {
        if (closeDuringStart) {
          throw closedWhileStarting(null);
        }
        QueueInfo queue;
        try {
          queue = runner.open();
        } catch (QueueException e) {
          if (closeDuringStart) {
            throw closedWhileStarting(e);
          }
          if (!e.isTransient() || backoff.attempts() + 1 >= OPEN_ATTEMPTS) {
            throw new ConsumerException("cannot consume queue '" + config.queue() + "': " + e.getMessage(), e);
          }
          Duration delay = backoff.next();
          LOG.warn("{}: connecting to the queue failed, retrying in {} ms: {}", config.name(), delay.toMillis(),
              Throwables.describe(e));
          try {
            Thread.sleep(delay);
          } catch (InterruptedException ie) {
            if (closeDuringStart) {
              throw closedWhileStarting(ie);
            }
            Thread.currentThread().interrupt();
            throw new ConsumerException("interrupted while connecting to queue '" + config.queue() + "'", ie);
          }
          continue;
        } catch (RuntimeException e) {
          if (closeDuringStart) { // a runner that answers close's interrupt otherwise than with a QueueException
            throw closedWhileStarting(e);
          }
          throw e;
        }
        if (closeDuringStart) {
          throw closedWhileStarting(null);
        }
        return queue;
      }
    } finally {
      synchronized (openGuard) {
        opening = null;
        if (interruptedByClose) {
          interruptedByClose = false;
          if (!interruptedBefore) {
            Thread.interrupted(); // close()'s interrupt, not the caller's: it must not outlive start()
          }
        }
      }
    }
  }

  private ConsumerException closedWhileStarting(Throwable cause) {
    abortedByClose = true;
    return new ConsumerException("closed while connecting to queue '" + config.queue() + "'", cause);
  }

  /** close() came while start() may be connecting: makes it give up at once (see open()). */
  private void abortStart() {
    closeDuringStart = true;
    synchronized (openGuard) {
      Thread starter = opening;
      if (starter != null && starter != Thread.currentThread() && !interruptedByClose) {
        interruptedByClose = true;
        interruptedBefore = starter.isInterrupted();
        starter.interrupt();
      }
    }
  }

  /**
   * Closes what a failed start created, each part on its own: parts may throw anything, and one that does
   * leaves the others to close. What they throw is added to the start's {@code failure}, which stays the
   * one the caller sees.
   */
  private void cleanUpFailedStart(Worker worker, Harvester harvester, Throwable failure) {
    if (worker != null) {
      closeQuietly(() -> worker.shutdown(Duration.ZERO), failure);
    }
    if (harvester != null) {
      closeQuietly(() -> harvester.close(Duration.ZERO), failure);
    }
    if (runner != null) {
      Runner created = runner;
      closeQuietly(created::close, failure);
    }
  }

  private interface CloseStep {
    void run() throws Exception;
  }

  private static void closeQuietly(CloseStep step, Throwable failure) {
    try {
      step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    Engine running;
    Runner connected;
    State seen = state;
    if (seen == State.NEW || seen == State.STARTING) {
      // start() holds the lock while it connects, which may take minutes on a silent queue; NEW too, since
      // start() takes the lock before it writes STARTING, and would otherwise connect with close waiting
      abortStart();
    }
    lifecycle.lock();
    try {
      switch (state) {
        case NEW -> {
          state = State.TERMINATED; // nothing was created: parts are created by start()
          terminated.countDown();
          return;
        }
        case RUNNING -> {
          engine.stopReceiving(); // before STOPPING is seen: see Engine, Shutdown
          state = State.STOPPING;
          running = engine;
          connected = runner;
        }
        case STOPPING, TERMINATED, FAILED -> {
          running = null;
          connected = null;
        }
        case STARTING -> throw new AssertionError("start holds the lifecycle lock");
        default -> throw new AssertionError(state);
      }
    } finally {
      lifecycle.unlock();
    }
    boolean fromCallback = fromCallback();
    if (running == null) {
      if (!fromCallback) { // a callback waiting for the stop would wait for itself
        awaitTermination();
      }
      return;
    }
    LOG.info("{} stopping: {} messages in flight", config.name(), registry.size());
    if (fromCallback) {
      Thread.ofPlatform().name(config.name() + "-close").daemon(false).start(() -> stop(running, connected));
      return;
    }
    stop(running, connected);
  }

  /** Whether close was called from a handler, a hook or a listener: see Concurrency in the class comment. */
  private static boolean fromCallback() {
    return FRAMES.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
        .anyMatch(type -> type == Handling.class || type == SafeListener.class));
  }

  /** The stop that close began: the engine's phases, then the runner; TERMINATED at the end, whatever threw. */
  private void stop(Engine running, Runner connected) {
    try {
      running.stop(config.shutdownTimeout()); // runs every step even if this thread is interrupted
    } finally {
      try {
        connected.close();
      } catch (Throwable e) { // a runner may throw anything; the consumer still ends, and later closes return
        LOG.error("{}: closing the runner failed; its resources may not all be released", config.name(),
            Throwables.loggable(e));
      } finally {
        gauges = null; // [gauges zero once TERMINATED]: a handler that outlived the timeout is no longer ours
        prefetchGauge = null;
        state = State.TERMINATED;
        terminated.countDown();
        LOG.info("{} stopped", config.name());
      }
    }
  }

  /** Waits for the first close to finish; like it, not cut short by an interrupt (which is kept). */
  private void awaitTermination() {
    Uninterruptibly.await(terminated::await);
  }

  @Override
  public State state() {
    return state;
  }

  @Override
  public String name() {
    return config.name();
  }

  @Override
  public String queueName() {
    return config.queueName();
  }

  @Override
  public int inFlight() {
    return registry.size();
  }

  @Override
  public int workerActive() {
    Worker worker = gauges;
    return worker == null ? 0 : worker.active();
  }

  @Override
  public int workerWaiting() {
    Worker worker = gauges;
    return worker == null ? 0 : worker.waiting();
  }

  @Override
  public int workerThreads() {
    Worker worker = gauges;
    return worker == null ? 0 : worker.threads();
  }

  @Override
  public int prefetch() {
    Engine engine = prefetchGauge;
    return engine == null ? 0 : engine.prefetch();
  }

  @Override
  public int concurrencyLimit() {
    Engine engine = prefetchGauge;
    return engine == null ? 0 : engine.concurrencyLimit();
  }

  @Override
  public ConsumerHealth health() {
    return health.snapshot(state, pauseGate.paused(), registry.size());
  }

  @Override
  public void pause() {
    if (!pauseGate.paused()) {
      LOG.info("{} paused: no new receives until resumed", config.name());
    }
    pauseGate.pause();
  }

  @Override
  public void resume() {
    if (pauseGate.paused()) {
      LOG.info("{} resumed", config.name());
    }
    pauseGate.resume();
  }

  @Override
  public String toString() {
    return "Consumer[" + config.name() + ", " + state + "]";
  }

  /** How batches are formed, for the start log line; empty for a single-message handler. */
  private static String batches(ConsumerConfig config, QueueInfo queue) {
    if (config.batchHandler() == null) {
      return "";
    }
    if (config.assemblesBatches() && !queue.fifo()) {
      return String.format(", batches of up to %d messages or %d bytes gathered within %s", config.batchSize(),
          config.batchMaxBytes(), config.batchWindow());
    }
    return ", batches of up to " + config.batchSize();
  }
}
