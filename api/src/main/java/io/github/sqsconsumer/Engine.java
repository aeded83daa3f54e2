package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.WorkUnit;
import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a consumer: wires polling, dispatch, handling and settlement to the parts, keeps messages alive
 * with the heartbeat, and stops in the order that loses nothing.
 */
final class Engine {
  /*
   * A message's path:
   *   Polling receives it (permits from FlowControl, tokens from the RateLimiter) and hands it to Dispatch,
   *   which registers it in InFlight, splits the receive into units and submits them to the worker (for a
   *   FIFO queue through the FifoScheduler; with a batching window, the BatchAssembler gathers the units
   *   from several receives). The worker runs a unit through Handling (hooks and handler), which hands the
   *   outcomes to Settlement (acknowledgements and releases to the harvester) and then gives the permits
   *   back. Harvester callbacks (any thread) remove settled messages from the registry; the
   *   heartbeat extends what stays there. A consumer that is RUNNING polls.
   *   [permits held <= concurrency x unit size + prefetch]: received and unfinished messages are bounded.
   * Adaptive concurrency:
   *   The worker is built for the concurrency, the maximum; the ConcurrencyGate (through GatedWorker, so
   *   dispatch is unchanged) lets at most its current limit of units reach it, and each change of the limit
   *   moves the flow control's and the prefetch's base with it, so pollers receive only what the limit
   *   allows: [permits held <= limit x unit size + prefetch, once the units above a lowered limit finish].
   * Shutdown:
   *   stop(): pollers stop (outstanding receives cancelled: messages that arrive for a cancelled receive
   *   are the runner's to release at once, see Runner#receive; those of a receive that completed first
   *   are delivered and, since !running, released unstarted), the FIFO scheduler hands back what waits,
   *   the batch assembler hands back the batch it was gathering, the worker drains within the timeout and
   *   hands back what never started (released: visible again at once), the harvester flushes, then the
   *   heartbeat stops. Receiving ends first, before the consumer reads STOPPING (stopReceiving(), under
   *   the consumer's lifecycle lock): a poller checks `running` after taking its permits and sends no
   *   receive once it is false, and one that looked just before passes the PauseGate, which stopReceiving()
   *   closes, waiting for a receive being sent (see PauseGate, Stopping); so a caller that sees STOPPING
   *   sees no receive sent after it. [no receive is sent once the consumer has left RUNNING]
   *   The phases run on a stopper thread that nobody interrupts, each whatever the one before threw: an
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
   */
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** The most messages one receive may ask for (the SQS limit). */
  private static final int RECEIVE_BATCH = QueuePort.MAX_BATCH_SIZE;
  /**
   * What close allows beyond the shutdown timeout, for the acknowledgements of handlers that finished at
   * its end: a round trip plus a few retries (the batch harvester's five attempts span about a second),
   * with room for a slow link. Documented in {@link Consumer#close()}.
   */
  static final Duration FLUSH_ALLOWANCE = Duration.ofSeconds(5);
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
  /** How often the stop looks whether the worker's last units handed their outcomes over. */
  private static final Duration IDLE_POLL = Duration.ofMillis(10);

  private final String name;
  private final Worker worker;
  private final Harvester harvester;
  private final InFlight registry;
  private final FlowControl flow;
  private final Prefetch prefetch;
  private final Heartbeat heartbeat;
  private final Settlement settlement;
  private final FifoScheduler fifo; // null for a standard queue
  private final BatchAssembler assembler; // null without a batching window
  private final Handling handling;
  private final Dispatch dispatch;
  private final Polling polling;
  private final PauseGate pauseGate;
  private final HandlerTimeouts timeouts; // null without a handler timeout
  private final ConcurrencyGate gate; // null without adaptive concurrency
  private final int concurrency;
  private volatile boolean running;

  Engine(ConsumerConfig config, Runner runner, QueueInfo queue, Worker worker, Harvester harvester,
      InFlight registry, ConsumerListener listener) {
    this(config, runner, queue, worker, harvester, registry, listener, new PauseGate(),
        new HealthTracker(config.unhealthyAfter()));
  }

  Engine(ConsumerConfig config, Runner runner, QueueInfo queue, Worker worker, Harvester harvester,
      InFlight registry, ConsumerListener listener, PauseGate pauseGate, HealthTracker health) {
    this(config, runner, queue, worker, harvester, registry, listener, pauseGate, health, Polling.RECEIVE_GRACE);
  }

  /** {@code receiveGrace}: how long past its wait time a receive may go unanswered (Polling); tests shorten it. */
  Engine(ConsumerConfig config, Runner runner, QueueInfo queue, Worker worker, Harvester harvester,
      InFlight registry, ConsumerListener listener, PauseGate pauseGate, HealthTracker health,
      Duration receiveGrace) {
    this.name = config.name();
    this.worker = worker;
    this.pauseGate = pauseGate;
    this.harvester = harvester;
    this.registry = registry;
    ConsumerListener safe = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    int batchSize = config.batchHandler() != null ? config.batchSize() : 0; // 0: one message per unit
    int unitSize = Math.max(1, batchSize);
    this.concurrency = config.concurrency();
    this.gate = config.adaptive() == null ? null : new ConcurrencyGate(name, config.adaptive(), concurrency, safe,
        limit -> limitChanged(limit * unitSize));
    int base = (gate == null ? concurrency : gate.limit()) * unitSize;
    int initialPrefetch = Math.min(config.prefetch(), base);
    // under a rate limit of fewer than a batch a second, receives ask for fewer: see RateLimiter
    int receiveBatch = config.rateLimit() > 0 ? RateLimiter.batch(config.rateLimit(), RECEIVE_BATCH) : RECEIVE_BATCH;
    this.flow = new FlowControl(base, initialPrefetch, receiveBatch);
    boolean assembles = config.assemblesBatches() && !queue.fifo(); // FIFO: see Consumer.Builder#batchWindow
    if (config.assemblesBatches() && queue.fifo()) {
      LOG.warn("{}: the queue is FIFO: batches hold what one receive brought and the batchWindow is not used", name);
    }
    // gathering, the prefetch keeps at least one batch ahead, so the next batch gathers while the handlers run
    this.prefetch = new Prefetch(base, config.prefetch(), assembles ? batchSize : RECEIVE_BATCH, initialPrefetch,
        flow);
    RateLimiter rateLimiter = config.rateLimit() > 0 ? new RateLimiter(config.rateLimit(), receiveBatch) : null;
    // asked for with every receive; the registry's deadlines and the heartbeat count on it
    Duration visibility = config.visibilityTimeout() != null ? config.visibilityTimeout() : queue.visibilityTimeout();
    this.heartbeat = new Heartbeat(registry, new DeadlinePort(name, runner, Heartbeat.replyDeadline(visibility)),
        listener, visibility, config.maxVisibilityExtension());
    this.settlement = new Settlement(name, config.retryPolicy(), config.acknowledgeMode(), queue.fifo(), harvester,
        registry, safe, flow);
    // FIFO: room for up to a receive's worth of followers per handler (see FlowControl, Limit)
    int followersCap = queue.fifo() ? concurrency * (RECEIVE_BATCH - 1) : 0;
    this.fifo = queue.fifo()
        ? new FifoScheduler(name, this::running, settlement::releaseUnstarted, flow::followers, followersCap)
        : null;
    this.handling = new Handling(config.handler(), config.batchHandler(), Hooks.of(config), settlement, prefetch,
        flow, fifo, name, config.handlerTimeout(), gate);
    this.timeouts = handling.timeouts();
    this.assembler = assembles ? new BatchAssembler(name, batchSize, config.batchWindow(), config.batchMaxBytes(),
        handling, this::running, settlement::releaseUnstarted, this::handlerFree) : null;
    Worker dispatched = gate == null ? worker : new GatedWorker(worker, gate);
    this.dispatch = new Dispatch(name, dispatched, registry, safe, visibility, batchSize, handling, settlement, fifo,
        assembler, this::running);
    int mostPermits = concurrency * unitSize + config.prefetch() + followersCap; // pollers for the largest limit
    this.polling = new Polling(name, runner, config.waitTime(), receiveGrace, visibility, mostPermits, flow,
        rateLimiter, prefetch, dispatch, safe, this::running, pauseGate, health);
  }

  /**
   * Starts the heartbeat, the FIFO dispatcher and the pollers. If starting one fails (no memory for a
   * thread), those already started are stopped before the failure passes on: the heartbeat is not a
   * daemon, and a leaked one would keep the JVM alive.
   */
  void start() {
    running = true;
    try {
      if (timeouts != null) {
        timeouts.start();
      }
      heartbeat.start(name);
      dispatch.start();
      polling.start();
    } catch (RuntimeException | Error e) {
      abandonStart();
      throw e;
    }
  }

  /** Stops what a failed start started; nothing was received yet that needs handing back. */
  private void abandonStart() {
    running = false;
    flow.close();
    polling.stop();
    if (fifo != null) {
      fifo.stopDispatcher();
    }
    if (assembler != null) {
      assembler.close(); // nothing was received: no batch to hand back
    }
    try {
      if (timeouts != null) {
        timeouts.stop(System.nanoTime()); // nothing ran: no unit to wait for
      }
      heartbeat.stop(Duration.ZERO); // interrupted, its thread ends at once: it has nothing in flight
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.debug("{}: stopping the heartbeat after a failed start", name, e);
    }
  }

  private boolean running() {
    return running;
  }

  /** Whether a unit handed to the worker now would start at once: what the batch assembler gathers for. */
  private boolean handlerFree() {
    return gate != null ? gate.running() < gate.limit() : worker.active() + worker.waiting() < concurrency;
  }

  /**
   * Ends receiving: pollers send no further receive, and what receives still in flight bring is released
   * unstarted. Called by the consumer as it leaves RUNNING, before {@link #stop}; stop() does it too.
   */
  void stopReceiving() {
    running = false;
    pauseGate.stopReceives(); // a poller past its look at `running` sends before this returns, or not at all
  }

  int inFlight() {
    return registry.size();
  }

  int prefetch() {
    return prefetch.current();
  }

  int concurrencyLimit() {
    return gate == null ? concurrency : gate.limit();
  }

  /** The adaptive limit moved: the handlers' permits follow it, and the prefetch with them. */
  private void limitChanged(int base) {
    flow.base(base);
    prefetch.base(base);
  }

  /** Where a worker runs this engine's units; for tests that run a unit on their own thread. */
  Handling handling() {
    return handling;
  }

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
    handling.stopping();
    phase("stopping the pollers", () -> {
      running = false;
      flow.close();
      handingBack.addAll(polling.stop()); // all at once: their receives abort together
    });
    if (fifo != null) {
      phase("stopping the FIFO dispatcher", () -> {
        handingBack.add(fifo.stopDispatcher());
        handingBack.add(handBack(fifo.close()));
      });
    }
    if (assembler != null) {
      phase("stopping the batch assembler", () -> {
        handingBack.add(handBack(assembler.close()));
        handingBack.add(assembler.flusher()); // releases the batch it was submitting, if the worker refuses it
      });
    }
    // (FIFO followers of these units were handed back by fifo.close() above)
    phase("shutting down the worker",
        () -> handingBack.add(handBack(worker.shutdown(left(handlersDeadline)))));
    // units whose handlers returned in time may still be handing their outcomes over (a batch's deletes,
    // each waiting for room in the harvester): the harvester stays open for them until they are done
    phase("awaiting the hand-over of finished units", () -> awaitIdle(handBackDeadline));
    if (timeouts != null) { // after the worker: units that expire while it drains are settled meanwhile
      phase("stopping the handler timeouts", () -> timeouts.stop(handBackDeadline));
    }
    phase("handing back unstarted messages", () -> joinAll(handingBack, handBackDeadline));
    phase("flushing the harvester", () -> harvester.close(left(deadline)));
    // closed, the harvester refuses at once what still waited for room: only the reports are left
    phase("reporting what the harvester refused", () -> joinAll(handingBack, deadline));
    // its thread never waits on the queue; what it still has under way gets what is left of the deadline
    phase("stopping the heartbeat", () -> heartbeat.stop(left(deadline)));
    int refused = settlement.refusedAtClose();
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

  /**
   * Waits until no unit whose handler returned is still handing its outcomes over, or {@code deadline}
   * (a handler still running after the worker's shutdown ignored its interrupt: nothing to wait for).
   */
  private void awaitIdle(long deadline) throws InterruptedException {
    while (handling.settling() && deadline - System.nanoTime() > 0) {
      Thread.sleep(IDLE_POLL);
    }
  }

  /** Releases these units on a thread of their own, which may wait for room in the harvester; null if none. */
  private Thread handBack(List<? extends WorkUnit> units) {
    if (units.isEmpty()) {
      return null;
    }
    return Thread.ofVirtual().name(name + "-handback").start(() -> units.forEach(settlement::releaseUnstarted));
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
      LOG.error("{}: {} failed; going on with the next step", name, what, Throwables.loggable(e));
    }
  }
}
