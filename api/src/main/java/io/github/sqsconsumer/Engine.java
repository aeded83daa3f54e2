package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a consumer: polls through the runner, dispatches to the worker, settles outcomes through the
 * harvester, keeps messages alive with the heartbeat, and stops in the order that loses nothing.
 *
 * <pre>
 * Concurrency:
 *   Pollers (virtual threads) each loop: take permits (FlowControl), take rate tokens, receive, give back
 *   unused permits, register the messages, and submit units to the worker (blocking: that wait is the
 *   prefetch buffer, and the heartbeat covers it). Worker threads run units: handler, outcome to the
 *   harvester, permits back. FIFO queues add the FifoScheduler and its dispatcher thread. Harvester
 *   callbacks (any thread) remove settled messages from the registry.
 *   [permits held <= concurrency x unit size + prefetch]: received and unfinished messages are bounded.
 * Polling:
 *   One poller per ten permits of the largest limit (at most 64) so polls overlap the queue's round trip.
 *   Only the first `active` pollers poll; the others park. A receive that comes back full asks for one
 *   more overlapping poll, one that comes back partly filled for one fewer, and an empty one (or a
 *   failure) leaves only the first: additive increase and decrease around the number of polls the
 *   arrival rate and the round trip need. Too many waiting polls split each arrival into small
 *   receives (SQS bills per request); too few leave handlers idle. An idle consumer costs one long poll
 *   at a time. [1 <= active <= pollers]
 * Supervision:
 *   Pollers, the FIFO dispatcher and the heartbeat never end while running: each catches whatever one
 *   round throws (an Error too), logs it at ERROR and goes on after a pause; permits taken for a receive
 *   go back whatever it throws. A consumer that is RUNNING polls.
 * Prefetch:
 *   To keep handlers busy, permits must cover what finishes during one receive round trip:
 *   prefetch = base x rtt / unit time (x 1.25, + one batch), kept within [min(batch, max), max]. Both
 *   times are moving averages written racily by many threads; a lost update only delays adaptation.
 * Shutdown:
 *   stop(): pollers stop (outstanding receives cancelled: messages that arrive for a cancelled receive
 *   are the runner's to release at once, see Runner#receive; those of a receive that completed first
 *   are delivered and, since !running, released unstarted), the FIFO scheduler hands back what waits,
 *   the worker drains within the timeout and hands back what never started (released: visible again at
 *   once), the harvester flushes, then the heartbeat stops. The
 *   phases run on a stopper thread that nobody interrupts, each whatever the one before threw: an
 *   interrupt of the closing thread is kept for its return and cannot skip a phase. One deadline, set
 *   when stop() begins, bounds them all: the pollers are cancelled together and each phase waits only for
 *   what is left of it (handlers: the shutdown timeout; the flush: what remains of FLUSH_ALLOWANCE after).
 *   Handing back: a release waits for room in the harvester's buffer, and when the queue stops answering
 *   only the harvester's close makes room. So the stopper waits for nothing that hands messages back: the
 *   pollers, the dispatcher and a thread per phase (for the units the scheduler and the worker return)
 *   release them, and the stopper waits for those threads only until the deadline less HARVESTER_RESERVE,
 *   then closes the harvester, which refuses the releases still waiting: those messages are reported
 *   (onAcknowledgementFailed) and come back after their visibility timeout.
 *   [no wait for room in the harvester outlasts the deadline]
 * </pre>
 */
final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** The most messages one receive may ask for (the SQS limit). */
  private static final int RECEIVE_BATCH = QueuePort.MAX_BATCH_SIZE;
  /** Enough overlapping polls for ~20,000 messages/s at a 30 ms round trip; more only costs connections. */
  private static final int MAX_POLLERS = 64;
  /**
   * What close allows beyond the shutdown timeout, for the acknowledgements of handlers that finished at
   * its end: a round trip plus a few retries (the batch harvester's five attempts span about a second),
   * with room for a slow link. Documented in {@link Consumer#close()}.
   */
  static final Duration FLUSH_ALLOWANCE = Duration.ofSeconds(5);
  /**
   * Passing faults (a throttled or reset receive) are routine at scale: one poller's failures are logged at
   * WARN only from the third in a row, and its recovery at INFO only after such a warning.
   */
  private static final int WARN_AFTER_FAILURES = 3;
  /**
   * The waits of close end this much before its documented bound, leaving room for the work after the last
   * of them (reports of what was not sent, the runner's close) on a busy machine.
   */
  private static final Duration FINISH_MARGIN = Duration.ofMillis(250);
  /**
   * What close keeps of its deadline for closing the harvester when messages handed back at close wait for
   * room in its buffer (a queue that stopped answering): enough to report what it could not send and what
   * it then refuses; the hand-backs wait until the deadline less this.
   */
  private static final Duration HARVESTER_RESERVE = Duration.ofSeconds(1);
  /** How long the FIFO dispatcher pauses after an unexpected failure, so that a lasting one is no hot loop. */
  private static final Duration DISPATCHER_PAUSE = Duration.ofMillis(100);
  /** How long a blocked submit waits before it checks whether the consumer is stopping. */
  private static final Duration SUBMIT_SLICE = Duration.ofMillis(500);

  private final String name;
  private final MessageHandler handler;
  private final BatchHandler batchHandler;
  private final int unitSize;
  private final RetryPolicy retryPolicy;
  private final AcknowledgeMode acknowledgeMode;
  private final ConsumerListener listener;
  private final Duration waitTime;
  /** Asked for with every receive; the registry's deadlines and the heartbeat count on it. */
  private final Duration visibility;

  private final Runner runner;
  private final QueueInfo queue;
  private final Worker worker;
  private final Harvester harvester;
  private final InFlight registry;
  private final FlowControl flow;
  private final RateLimiter rateLimiter;
  private final FifoScheduler fifo;
  private final Heartbeat heartbeat;
  private final Hooks hooks; // null without hooks: the handler is called directly

  private final int base;
  private final int maxPrefetch;
  private final List<Poller> pollers = new ArrayList<>(); // filled before the first poller starts
  private Thread dispatcher;
  private volatile boolean running;
  private final AtomicInteger refusedAtClose = new AtomicInteger(); // messages the closed harvester refused

  private final ReentrantLock pollLock = new ReentrantLock();
  private final Condition activeChanged = pollLock.newCondition();
  private int active = 1; // @GuardedBy("pollLock")

  private volatile double rttNanos;
  private volatile double unitNanos;
  private volatile int prefetch;

  Engine(ConsumerConfig config, Runner runner, QueueInfo queue, Worker worker, Harvester harvester,
      InFlight registry, ConsumerListener listener) {
    this.name = config.name();
    this.handler = config.handler();
    this.batchHandler = config.batchHandler();
    this.unitSize = batchHandler != null ? config.batchSize() : 1;
    this.retryPolicy = config.retryPolicy();
    this.acknowledgeMode = config.acknowledgeMode();
    this.listener = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    this.waitTime = config.waitTime();
    this.runner = runner;
    this.queue = queue;
    this.worker = worker;
    this.harvester = harvester;
    this.registry = registry;
    this.base = config.concurrency() * unitSize;
    this.maxPrefetch = config.prefetch();
    this.prefetch = Math.min(maxPrefetch, base);
    this.flow = new FlowControl(base, prefetch, RECEIVE_BATCH);
    this.rateLimiter = config.rateLimit() > 0 ? new RateLimiter(config.rateLimit(), RECEIVE_BATCH) : null;
    this.fifo = queue.fifo() ? new FifoScheduler() : null;
    this.visibility = config.visibilityTimeout() != null ? config.visibilityTimeout() : queue.visibilityTimeout();
    this.heartbeat = new Heartbeat(registry, runner, listener, visibility, config.maxVisibilityExtension());
    this.hooks = Hooks.of(config);
  }

  /**
   * Starts the heartbeat, the FIFO dispatcher and the pollers. If starting one fails (no memory for a
   * thread), those already started are stopped before the failure passes on: the heartbeat is not a
   * daemon, and a leaked one would keep the JVM alive.
   */
  void start() {
    running = true;
    try {
      heartbeat.start(name);
      if (fifo != null) {
        dispatcher = Thread.ofVirtual().name(name + "-dispatcher").start(this::dispatchReady);
      }
      // all pollers exist before any runs: a running poller reads the list (adjustActive, stop)
      int count = Math.min(MAX_POLLERS, Math.ceilDiv(base + maxPrefetch, RECEIVE_BATCH));
      for (int i = 0; i < count; i++) {
        pollers.add(new Poller(i));
      }
      for (Poller poller : pollers) {
        poller.thread = Thread.ofVirtual().name(name + "-poller-" + poller.index).unstarted(poller);
      }
      pollers.forEach(poller -> poller.thread.start());
    } catch (RuntimeException | Error e) {
      abandonStart();
      throw e;
    }
  }

  /** Stops what a failed start started; nothing was received yet that needs handing back. */
  private void abandonStart() {
    running = false;
    flow.close();
    wakeAllPollers();
    pollers.forEach(Poller::cancel);
    if (dispatcher != null) {
      dispatcher.interrupt();
    }
    try {
      heartbeat.stop(Duration.ZERO); // interrupted, its thread ends at once: it has nothing in flight
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.debug("{}: stopping the heartbeat after a failed start", name, e);
    }
  }

  int inFlight() {
    return registry.size();
  }

  int prefetch() {
    return prefetch;
  }

  // ---------------------------------------------------------------- polling

  /** One polling loop. */
  private final class Poller implements Runnable {
    private final int index;
    private final Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
    private final Backoff emptyBackoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    private volatile CompletableFuture<List<Message>> current;
    private volatile Thread thread;
    private int failures;

    Poller(int index) {
      this.index = index;
    }

    /**
     * Polls until the consumer stops. [a poller never ends while the consumer runs]: whatever a round
     * throws, an Error too, is logged and reported, and the next round begins after a backoff.
     */
    @Override
    public void run() {
      while (running) {
        try {
          if (index > 0) {
            awaitTurn(index);
          }
          int permits = flow.acquire(1, TimeUnit.MINUTES); // zero when closed, or none came free: ask again
          if (permits > 0) {
            poll(permits);
          }
        } catch (InterruptedException e) {
          // stop() interrupts; any other interrupt is no reason to stop polling
        } catch (Throwable t) {
          failedUnexpectedly(t);
        }
      }
    }

    private void failedUnexpectedly(Throwable failure) {
      try {
        LOG.error("{}: poller {} hit an unexpected failure; polling goes on", name, index, failure);
        pollFailed(failure);
      } catch (InterruptedException e) {
        // stopping
      } catch (Throwable again) {
        // even reporting failed (a listener that throws, no memory): still no hot loop
        try {
          Thread.sleep(backoff.next());
        } catch (InterruptedException e) {
          // stopping
        }
      }
    }

    /** Receives once with the permits held, and delivers what came. */
    private void poll(int permits) throws InterruptedException {
      if (rateLimiter != null) {
        try {
          rateLimiter.acquire(permits);
        } catch (InterruptedException e) {
          flow.release(permits);
          throw e;
        }
      }
      long sentNanos = System.nanoTime();
      List<Message> messages;
      CompletableFuture<List<Message>> future = null;
      try {
        future = runner.receive(permits, waitTime, visibility);
        current = future;
        if (!running) {
          future.cancel(true); // [no receive outlives stop]: stop() may have looked before we published
        }
        messages = future.get();
      } catch (CancellationException | InterruptedException e) {
        if (future != null) {
          future.cancel(true); // if it arrives anyway, the runner releases it (Runner#receive)
        }
        flow.release(permits);
        refund(permits);
        if (running && e instanceof CancellationException) {
          pollFailed(e); // the runner cancelled a receive of its own: a fault, with backoff
        }
        return;
      } catch (ExecutionException | RuntimeException e) {
        flow.release(permits);
        refund(permits);
        if (running) { // else our own cancelled receive, failing as the client aborts it: not a fault
          pollFailed(e instanceof ExecutionException ? e.getCause() : e);
        }
        return;
      } catch (Error e) {
        flow.release(permits); // [permits back whatever a receive throws]; run() reports it and backs off
        refund(permits);
        throw e;
      } finally {
        current = null;
      }
      long rtt = System.nanoTime() - sentNanos;
      flow.release(permits - messages.size());
      refund(permits - messages.size());
      if (failures > 0) {
        if (failures >= WARN_AFTER_FAILURES) {
          LOG.info("{}: receiving works again after {} failed attempts", name, failures);
        }
        failures = 0;
      }
      backoff.reset();
      if (messages.isEmpty()) {
        adjustActive(Integer.MIN_VALUE);
        // short polling, or a server that answers a long poll at once: no hot loop on an empty queue
        boolean early = waitTime.compareTo(Duration.ofSeconds(1)) < 0 || rtt < waitTime.toNanos() / 2;
        if (early && running) {
          Thread.sleep(emptyBackoff.next());
        }
        return;
      }
      emptyBackoff.reset();
      adjustActive(messages.size() == permits ? 1 : messages.size() < permits / 2 ? -1 : 0);
      rttNanos = rttNanos == 0 ? rtt : rttNanos + 0.2 * (rtt - rttNanos);
      adapt();
      deliver(messages, sentNanos);
    }

    private void pollFailed(Throwable cause) throws InterruptedException {
      Duration delay = backoff.next();
      failures++;
      boolean fatal = cause instanceof QueueException q && q.kind() == QueueException.Kind.FATAL;
      if (fatal) {
        LOG.warn("{}: receiving failed (not transient), retrying with backoff: {}", name, cause.toString());
      } else if (failures == WARN_AFTER_FAILURES) {
        LOG.warn("{}: receiving failed {} times in a row, retrying with backoff: {}", name, failures,
            cause.toString());
      } else {
        LOG.debug("{}: receiving failed (attempt {}), retrying with backoff: {}", name, failures,
            cause.toString());
      }
      listener.onPollError(cause, delay);
      adjustActive(Integer.MIN_VALUE);
      if (running) {
        Thread.sleep(delay);
      }
    }

    void cancel() {
      CompletableFuture<List<Message>> future = current;
      if (future != null) {
        future.cancel(true);
      }
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  private void refund(int permits) {
    if (rateLimiter != null) {
      rateLimiter.refund(permits);
    }
  }

  /** Changes how many pollers poll: +1, -1, or MIN_VALUE for only the first. */
  private void adjustActive(int change) {
    if (pollers.size() <= 1 || change == 0) {
      return;
    }
    pollLock.lock();
    try {
      int next = change == Integer.MIN_VALUE ? 1 : Math.clamp((long) active + change, 1, pollers.size());
      if (next > active) {
        activeChanged.signalAll();
      }
      active = next;
    } finally {
      pollLock.unlock();
    }
  }

  private void awaitTurn(int index) throws InterruptedException {
    pollLock.lock();
    try {
      while (index >= active && running) {
        activeChanged.await();
      }
    } finally {
      pollLock.unlock();
    }
  }

  private void wakeAllPollers() {
    pollLock.lock();
    try {
      activeChanged.signalAll();
    } finally {
      pollLock.unlock();
    }
  }

  /** Adapts the prefetch to the measured round trip and unit time. */
  private void adapt() {
    double rtt = rttNanos;
    double unit = unitNanos;
    if (rtt <= 0 || unit <= 0 || maxPrefetch == 0) {
      return;
    }
    double wanted = base * (rtt / unit) * 1.25 + RECEIVE_BATCH;
    int next = (int) Math.min(maxPrefetch, Math.max(Math.min(RECEIVE_BATCH, maxPrefetch), wanted));
    int previous = prefetch;
    if (Math.abs(next - previous) > Math.max(1, previous / 20)) { // ignore changes under 5 %
      prefetch = next;
      flow.prefetch(next);
    }
  }

  // ---------------------------------------------------------------- dispatch

  private void deliver(List<Message> messages, long sentNanos) {
    long deadline = sentNanos + visibility.toNanos(); // [deadline <= when the queue shows it again]
    for (Message message : messages) {
      registry.add(message, sentNanos, deadline);
      listener.onReceived(message);
    }
    List<Unit> units = split(messages);
    if (!running) {
      units.forEach(this::releaseUnstarted);
      return;
    }
    if (fifo == null) {
      int taken = 0;
      try {
        while (taken < units.size() && submit(units.get(taken))) {
          taken++;
        }
      } finally {
        // stopping, a broken worker, or an Error out of submit: the rest of the receive never reaches
        // the worker, so it goes back to the queue at once before anything else happens
        units.subList(taken, units.size()).forEach(this::releaseUnstarted);
      }
      return;
    }
    List<Unit> heads = fifo.offer(units);
    if (heads == null) {
      units.forEach(this::releaseUnstarted);
      return;
    }
    for (int i = 0; i < heads.size(); i++) {
      boolean taken;
      try {
        taken = submit(heads.get(i));
      } catch (Error e) {
        heads.subList(i, heads.size()).forEach(this::releaseHead); // this head and the later ones
        throw e;
      }
      if (!taken) {
        releaseHead(heads.get(i)); // stopping; the scheduler hands back the other groups' followers at close
      }
    }
  }

  /** Splits a receive into units: single messages, or batches (for FIFO, runs of one group). */
  private List<Unit> split(List<Message> messages) {
    List<Unit> units = new ArrayList<>(batchHandler == null ? messages.size() : 2);
    if (batchHandler == null) {
      for (Message message : messages) {
        units.add(new Unit(this, List.of(message)));
      }
      return units;
    }
    List<Message> current = new ArrayList<>(unitSize);
    for (Message message : messages) {
      boolean sameGroup = current.isEmpty()
          || current.get(0).groupId().equals(message.groupId());
      if (current.size() == unitSize || !sameGroup) {
        units.add(new Unit(this, List.copyOf(current)));
        current.clear();
      }
      current.add(message);
    }
    units.add(new Unit(this, List.copyOf(current)));
    return units;
  }

  /**
   * Submits, waiting for room; returns false if the consumer stopped first, or the worker failed, and the
   * unit was not taken (the caller releases it). An Error out of the worker (no memory for a thread)
   * passes through: the caller releases the unit, and what else it holds, then lets it go on.
   */
  private boolean submit(Unit unit) {
    try {
      while (running) {
        if (worker.submit(unit, SUBMIT_SLICE)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RejectedExecutionException e) {
      // shut down meanwhile
    } catch (RuntimeException e) {
      // a broken worker must not strand the messages: they go back to the queue
      LOG.error("{}: the worker failed to accept {}; its messages are released", name, unit, e);
    }
    return false;
  }

  /**
   * The FIFO dispatcher: submits the next unit of each group when the previous one finished.
   * [the dispatcher never ends while the consumer runs]: a unit it could not hand over goes back with its
   * group's followers, whatever was thrown is logged, and it goes on after a pause.
   */
  private void dispatchReady() {
    while (running) {
      try {
        Unit unit = fifo.ready.poll(1, TimeUnit.SECONDS);
        if (unit == null) {
          continue;
        }
        boolean taken = false;
        try {
          taken = submit(unit);
        } finally {
          if (!taken) {
            releaseHead(unit);
          }
        }
      } catch (InterruptedException e) {
        // stop() interrupts; any other interrupt is no reason to stop
      } catch (Throwable t) {
        try {
          LOG.error("{}: the FIFO dispatcher hit an unexpected failure; it goes on", name, t);
          Thread.sleep(DISPATCHER_PAUSE);
        } catch (Throwable again) {
          // stopping, or even logging failed: go on
        }
      }
    }
  }

  // ---------------------------------------------------------------- running a unit

  /** Runs a unit on a worker thread: handler, outcomes, permits back, next unit of its FIFO group. */
  void run(Unit unit) {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      failed = batchHandler == null ? handleOne(unit, start) : handleBatch(unit, start);
    } catch (RuntimeException | Error e) {
      // [nothing kept alive that nobody settles]: what never reached the harvester leaves the registry, so
      // the heartbeat stops and it does come back after its visibility timeout
      LOG.error("{}: settling {} failed; its messages not yet with the harvester come back after their "
          + "visibility timeout", name, unit, e);
      List<Message> messages = unit.messages();
      for (int i = unit.settled; i < messages.size(); i++) {
        // the one whose hand-off threw was removed and reported already (handOffFailed): remove() is false
        if (registry.remove(messages.get(i))) {
          listener.onAcknowledgementFailed(messages.get(i), e);
        }
      }
    } finally {
      long elapsed = System.nanoTime() - start;
      unitNanos = unitNanos == 0 ? elapsed : unitNanos + 0.05 * (elapsed - unitNanos);
      flow.release(unit.messages().size());
      if (fifo != null) {
        fifo.completed(unit, failed).forEach(this::releaseUnstarted);
      }
    }
  }

  private boolean handleOne(Unit unit, long start) {
    Message message = unit.messages().get(0);
    Throwable failure = null;
    Object[] hooked = null;
    try {
      if (hooks != null) {
        hooked = hooks.before(unit.messages()); // a hook that throws fails the unit like its handler
      }
      handler.handle(message);
    } catch (Throwable t) { // a handler's Error is the handler's failure, not the worker's
      failure = t;
    }
    if (hooked != null) {
      hooks.after(unit.messages(), hooked, failure, null);
    }
    boolean failed = settle(message, failure, System.nanoTime() - start);
    unit.settled = 1;
    return failed;
  }

  private boolean handleBatch(Unit unit, long start) {
    List<Message> messages = unit.messages();
    BatchResult result = null;
    Throwable whole = null;
    Object[] hooked = null;
    try {
      if (hooks != null) {
        hooked = hooks.before(messages);
      }
      result = batchHandler.handle(messages);
      if (result == null) {
        whole = new NullPointerException("the batch handler returned null instead of a BatchResult");
      }
    } catch (Throwable t) {
      whole = t;
    }
    if (hooked != null) {
      hooks.after(messages, hooked, whole, whole == null ? result : null);
    }
    long elapsed = System.nanoTime() - start;
    boolean failed = false;
    for (Message message : messages) {
      if (failed && fifo != null) {
        // FIFO: after the first failure of a group, later messages are not counted as handled in order
        releaseMessage(message, Duration.ZERO);
      } else {
        Throwable failure = whole != null ? whole : result.failureOf(message);
        failed |= settle(message, failure, elapsed);
      }
      unit.settled++;
    }
    return failed;
  }

  /** Hands one outcome to the harvester; returns true if the message failed and will come back. */
  private boolean settle(Message message, Throwable failure, long elapsedNanos) {
    if (failure == null) {
      listener.onSucceeded(message, Duration.ofNanos(elapsedNanos));
      acknowledge(message);
      return false;
    }
    if (failure instanceof PermanentFailureException) {
      listener.onDiscarded(message, failure);
      acknowledge(message);
      return false;
    }
    if (acknowledgeMode == AcknowledgeMode.ALWAYS) {
      listener.onFailed(message, failure, null);
      acknowledge(message);
      return false;
    }
    Optional<Duration> delay = retryDelay(message, failure);
    listener.onFailed(message, failure, delay.orElse(null));
    if (delay.isPresent()) {
      releaseMessage(message, delay.get());
    } else {
      registry.remove(message); // left to its visibility timeout: no heartbeat any more
    }
    return true;
  }

  private Optional<Duration> retryDelay(Message message, Throwable failure) {
    try {
      Optional<Duration> delay = retryPolicy.delay(message, failure);
      if (delay == null) {
        return Optional.empty();
      }
      Duration longest = longestRelease(message);
      return delay.map(d -> d.isNegative() ? Duration.ZERO : d.compareTo(longest) > 0 ? longest : d);
    } catch (Throwable e) { // an Error too: it must not skip the settling of the rest of a batch
      LOG.warn("{}: the retry policy failed for {}; leaving it to its visibility timeout: {}", name, message,
          e.toString());
      return Optional.empty();
    }
  }

  /**
   * The longest visibility a release of this message may ask for now, in whole seconds: InFlight's rule
   * ({@link InFlight.Entry#visibilityLeftNanos}). [a release ends within 12 h of its receive]
   */
  private Duration longestRelease(Message message) {
    OptionalLong left = registry.visibilityLeftNanos(message, System.nanoTime());
    if (left.isEmpty()) {
      return RetryPolicy.MAX_DELAY; // not ours any more (settled meanwhile): the harvester will refuse it anyway
    }
    return Duration.ofSeconds(Math.clamp(left.getAsLong() / 1_000_000_000L, 0, RetryPolicy.MAX_DELAY.toSeconds()));
  }

  private void acknowledge(Message message) {
    // not marked: the heartbeat keeps it alive until the harvester reports the delete (a batch may wait for
    // its flush, or for room under throttling); an extension that arrives after the delete only fails
    try {
      harvester.acknowledge(message);
    } catch (IllegalStateException e) {
      lateOutcome(message, e);
    } catch (RuntimeException | Error e) {
      handOffFailed(message, e);
      throw e;
    }
  }

  private void releaseMessage(Message message, Duration visibility) {
    registry.releasing(message, visibility); // [no extension after the release]: see InFlight
    try {
      harvester.release(message, visibility);
    } catch (IllegalStateException e) {
      lateOutcome(message, e);
    } catch (RuntimeException | Error e) {
      handOffFailed(message, e);
      throw e;
    }
  }

  /** The harvester threw instead of taking the message (a bug): it is left to its visibility timeout. */
  private void handOffFailed(Message message, Throwable cause) {
    registry.remove(message);
    listener.onAcknowledgementFailed(message, cause);
  }

  /**
   * The harvester has closed: a handler outlived the shutdown timeout, or a hand-back waited for room until
   * close gave up on the queue. Reported, and left to its visibility timeout.
   */
  private void lateOutcome(Message message, IllegalStateException refusal) {
    if (registry.remove(message)) {
      refusedAtClose.incrementAndGet();
      LOG.debug("{}: {} reached the harvester after it closed; it comes back after its visibility timeout", name,
          message);
      listener.onAcknowledgementFailed(message, refusal);
    }
  }

  /** Releases a FIFO group's head that never reached the worker, with the followers waiting behind it. */
  private void releaseHead(Unit head) {
    releaseUnstarted(head);
    fifo.completed(head, true).forEach(this::releaseUnstarted);
  }

  /** Makes the messages of a unit that never started visible again at once. */
  private void releaseUnstarted(WorkUnit unit) {
    try {
      for (Message message : unit.messages()) {
        try {
          releaseMessage(message, Duration.ZERO);
        } catch (RuntimeException | Error e) {
          // a part may throw anything, an Error too; reported by releaseMessage (which took it out of the
          // registry): [the rest of the unit, and of the caller's units, still goes back]
          LOG.error("{}: the harvester failed to release {}; it comes back after its visibility timeout", name,
              message, e);
        }
      }
    } finally {
      flow.release(unit.messages().size());
    }
  }

  // ---------------------------------------------------------------- stopping

  /**
   * Stops in the order that loses nothing; see the class comment. Returns within {@code shutdownTimeout}
   * plus {@link #FLUSH_ALLOWANCE}, counted from the call, as long as the parts keep their timeouts. Not
   * interruptible: the phases run on a thread of their own, so an interrupt of the caller, before or during
   * the call, cannot cut a phase short (a worker interrupted in its shutdown would lose the units it was
   * about to hand back); it is remembered and set again on return.
   */
  void stop(Duration shutdownTimeout) {
    long start = System.nanoTime();
    // one deadline for everything; handlers may use the shutdown timeout, the flush what is left
    long handlersDeadline = start + shutdownTimeout.toNanos();
    long deadline = handlersDeadline + FLUSH_ALLOWANCE.toNanos() - FINISH_MARGIN.toNanos();
    Thread stopper = Thread.ofVirtual().name(name + "-stopper")
        .start(() -> stopPhases(handlersDeadline, deadline));
    Uninterruptibly.await(stopper::join); // bounded by the deadline: every phase waits only for what is left
  }

  /** What is left until {@code deadline} (System.nanoTime), zero once it passed. */
  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  /** The stop phases, in order; each runs whatever the ones before it threw, with what is left of its deadline. */
  private void stopPhases(long handlersDeadline, long deadline) {
    // [no wait for room in the harvester outlasts the deadline]: see Shutdown in the class comment
    long handBackDeadline = deadline - HARVESTER_RESERVE.toNanos();
    List<Thread> handingBack = new ArrayList<>();
    phase("stopping the pollers", () -> {
      running = false;
      flow.close();
      wakeAllPollers();
      for (Poller poller : pollers) {
        poller.cancel(); // all at once: their receives abort together, not one after the other
        handingBack.add(poller.thread);
      }
    });
    if (fifo != null) {
      phase("stopping the FIFO dispatcher", () -> {
        dispatcher.interrupt();
        handingBack.add(dispatcher);
        handingBack.add(handBack(fifo.close()));
      });
    }
    // (FIFO followers of these units were handed back by fifo.close() above)
    phase("shutting down the worker",
        () -> handingBack.add(handBack(worker.shutdown(left(handlersDeadline)))));
    phase("handing back unstarted messages", () -> joinAll(handingBack, handBackDeadline));
    phase("flushing the harvester", () -> harvester.close(left(deadline)));
    // closed, the harvester refuses at once what still waited for room: only the reports are left
    phase("reporting what the harvester refused", () -> joinAll(handingBack, deadline));
    // its thread never waits on the queue; what it still has under way gets what is left of the deadline
    phase("stopping the heartbeat", () -> heartbeat.stop(left(deadline)));
    int refused = refusedAtClose.get();
    if (refused > 0) {
      LOG.warn("{}: {} messages could not be handed to the harvester before it closed (the queue did not answer "
          + "in time); they come back after their visibility timeout", name, refused);
    }
    int left = registry.size();
    if (left > 0) {
      LOG.warn("{}: {} messages were not settled at close; they come back after their visibility timeout",
          name, left);
    }
  }

  /** Releases these units on a thread of their own, which may wait for room in the harvester; null if none. */
  private Thread handBack(List<? extends WorkUnit> units) {
    if (units.isEmpty()) {
      return null;
    }
    return Thread.ofVirtual().name(name + "-handback").start(() -> units.forEach(this::releaseUnstarted));
  }

  private static void joinAll(List<Thread> threads, long deadline) throws InterruptedException {
    for (Thread thread : threads) {
      if (thread != null) {
        thread.join(left(deadline));
      }
    }
  }

  /** One step of {@link #stopPhases}. */
  private interface Phase {
    void run() throws InterruptedException;
  }

  private void phase(String what, Phase phase) {
    try {
      phase.run();
    } catch (InterruptedException e) {
      // nobody interrupts the stopper; should a part do so, the next phases still run
      LOG.warn("{}: interrupted while {}; going on with the next step", name, what);
    } catch (RuntimeException | Error e) {
      LOG.error("{}: {} failed; going on with the next step", name, what, e);
    }
  }
}
