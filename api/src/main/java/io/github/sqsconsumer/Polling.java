package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Backoff;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueuePort;
import io.github.sqsconsumer.spi.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pollers: receive through the runner as fast as permits allow, and hand what came on to dispatch. */
final class Polling {
  /*
   * Concurrency:
   *   Pollers (virtual threads) each loop: take permits (FlowControl), take rate tokens, receive, give back
   *   unused permits and their rate tokens, and hand the messages to Dispatch (which may block on the
   *   worker: that wait is the prefetch buffer).
   *   [permits held <= concurrency x unit size + prefetch]: received and unfinished messages are bounded.
   * Overlapping polls:
   *   One poller per ten permits of the largest limit (at most 64) so polls overlap the queue's round trip.
   *   Only the first `active` pollers poll; the others park. A receive that asked for a whole batch and
   *   came back full asks for one more overlapping poll, but only while a whole batch of permits is free
   *   (no active poller waits for permits) and the server is not queueing (the round trip is within twice
   *   the lowest of the last seconds): otherwise another poll brings nothing sooner and, once the queue
   *   runs empty, each extra poll ends as one more empty receive. One that comes back less than half
   *   filled asks for one fewer, and an empty one (or a failure) leaves only the first: additive increase
   *   and decrease around the number of polls the arrival rate and the round trip need. Too many waiting
   *   polls split each arrival into small receives (SQS bills per request); too few leave handlers idle.
   *   An idle consumer costs one long poll at a time. [1 <= active <= pollers]
   *   A receive answered on the poller's own thread within a millisecond (its future complete when
   *   receive() returns: an in-process queue) had no round trip to overlap: the poller's time was CPU, and
   *   each more poller only contends with the handlers for the queue and the cores (bench/RESULTS.md,
   *   2026-12-06). Such answers keep at most
   *   IN_PROCESS_POLLS active: two, so one poller receives while the other hands its messages to the
   *   worker; and no prefetch piles up ahead of busy handlers, as the next receive is as quick. A runner
   *   that blocks its caller for a remote round trip takes longer and keeps the rules above.
   * Supervision:
   *   [a poller never ends while the consumer runs]: each catches whatever one round throws (an Error
   *   too), logs it at ERROR and goes on after a backoff; permits taken for a receive go back whatever it
   *   throws.
   *   [no receive holds a poller for good]: a receive not answered within its wait time plus
   *   RECEIVE_GRACE is cancelled and counts as a failed receive (backoff, health, listener). The runner
   *   bounds its own requests well within that (the SQS runner: each attempt by the wait time plus 10 s);
   *   this deadline is for a runner whose future never completes, which would otherwise leave the
   *   consumer RUNNING and receiving nothing. Its messages, if they come after all, are the runner's to
   *   release, as for any cancelled receive (Runner#receive). Long before that deadline the health counts
   *   a remote receive unanswered past its wait time plus HealthTracker.OVERDUE as failing (HealthTracker).
   * Shutdown:
   *   stop() wakes the parked pollers and cancels every outstanding receive at once; messages that arrive
   *   for a cancelled receive are the runner's to release (see Runner#receive), those of a receive that
   *   completed first are released unstarted by Dispatch, since the consumer no longer runs, even when the
   *   poller woke to the interrupt and not to the answer. A poller
   *   that took its permits sends its receive only if the consumer still runs, so nothing is received
   *   after the engine stopped receiving (Engine, Shutdown).
   *   [no receive outlives stop]
   */
  private static final Logger LOG = LoggerFactory.getLogger(Polling.class);
  /** The most messages one receive may ask for (the SQS limit). */
  private static final int RECEIVE_BATCH = QueuePort.MAX_BATCH_SIZE;
  /** Enough overlapping polls for ~20,000 messages/s at a 30 ms round trip; more only costs connections. */
  static final int MAX_POLLERS = 64;
  /** The most active polls while receives are answered in process: see Overlapping polls. */
  private static final int IN_PROCESS_POLLS = 2;
  /** An answer on the poller's own thread that took less carried no network round trip. */
  private static final long IN_PROCESS_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /**
   * Passing faults (a throttled or reset receive) are routine at scale: one poller's failures are logged at
   * WARN only from the third in a row, and its recovery at INFO only after such a warning.
   */
  private static final int WARN_AFTER_FAILURES = 3;
  /** Round trips vary by about this much with scheduling alone, even on loopback. */
  private static final long QUEUE_NOISE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Long beside a round trip, short beside a change of network: the round-trip floor looks this far back. */
  private static final long RTT_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * How long past its wait time a receive may go unanswered before the poller cancels it: beyond what a
   * runner's own timeouts and retries take (the SQS client's default of three attempts of the wait time plus
   * 10 s each, with backoff, stays under it), short enough that a stuck receive does not stop a consumer for
   * long. Documented in Runner#receive.
   */
  static final Duration RECEIVE_GRACE = Duration.ofMinutes(2);

  private final String name;
  private final Runner runner;
  private final Duration waitTime;
  private final long receiveDeadlineNanos; // waitTime + the grace: see Supervision
  private final Duration visibility;
  private final FlowControl flow;
  private final RateLimiter rateLimiter; // null without a rate limit
  private final Prefetch prefetch;
  private final Dispatch dispatch;
  private final ConsumerListener listener;
  private final BooleanSupplier running;
  private final PauseGate pauseGate;
  private final HealthTracker health;
  private final int count;
  private final List<Poller> pollers = new ArrayList<>(); // filled before the first poller starts

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition activeChanged = lock.newCondition();
  private volatile int active = 1; // written under lock; read without it on each poller's turn
  // the lowest round trips of receives that brought messages, by window: see serverQueued
  private volatile long windowStartNanos = System.nanoTime();
  private volatile long windowFloorNanos = Long.MAX_VALUE;
  private volatile long previousWindowFloorNanos = Long.MAX_VALUE;

  /**
   * {@code mostPermits} is the flow control's largest limit; {@code visibility} is asked for with every
   * receive; a receive not answered within {@code waitTime} plus {@code receiveGrace} is cancelled.
   */
  Polling(String name, Runner runner, Duration waitTime, Duration receiveGrace, Duration visibility,
      int mostPermits, FlowControl flow, RateLimiter rateLimiter, Prefetch prefetch, Dispatch dispatch,
      ConsumerListener listener, BooleanSupplier running, PauseGate pauseGate, HealthTracker health) {
    this.name = name;
    this.runner = runner;
    this.waitTime = waitTime;
    this.receiveDeadlineNanos = waitTime.plus(receiveGrace).toNanos();
    this.visibility = visibility;
    this.count = Math.min(MAX_POLLERS, Math.ceilDiv(mostPermits, RECEIVE_BATCH));
    this.flow = flow;
    this.rateLimiter = rateLimiter;
    this.prefetch = prefetch;
    this.dispatch = dispatch;
    this.listener = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    this.running = running;
    this.pauseGate = pauseGate;
    this.health = health;
  }

  /** Starts the pollers. */
  void start() {
    // all pollers exist before any runs: a running poller reads the list (adjustActive, stop)
    for (int i = 0; i < count; i++) {
      pollers.add(new Poller(i));
    }
    for (Poller poller : pollers) {
      poller.thread = Thread.ofVirtual().name(name + "-poller-" + poller.index).unstarted(poller);
    }
    pollers.forEach(poller -> poller.thread.start());
  }

  /**
   * Wakes the parked pollers and cancels every outstanding receive, all at once, so they abort together and
   * not one after the other; returns the pollers' threads, which may still hand messages back. Called once
   * the consumer no longer runs.
   */
  List<Thread> stop() {
    wakeAll();
    List<Thread> threads = new ArrayList<>();
    for (Poller poller : pollers) {
      poller.cancel();
      threads.add(poller.thread);
    }
    return threads;
  }

  /** One polling loop. */
  private final class Poller implements Runnable {
    private final int index;
    private final Backoff.Sequence backoff = Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(5)).sequence();
    private final Backoff.Sequence emptyBackoff =
        Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(2)).sequence();
    private volatile CompletableFuture<List<Message>> current;
    private volatile Thread thread;
    private int failures;
    /** Whether this poller logged a runner's answer that broke Runner#receive's promise. */
    private boolean contractBroken;

    Poller(int index) {
      this.index = index;
    }

    /**
     * Polls until the consumer stops. [a poller never ends while the consumer runs]: whatever a round
     * throws, an Error too, is logged and reported, and the next round begins after a backoff.
     */
    @Override
    public void run() {
      while (running.getAsBoolean()) {
        try {
          if (index > 0) {
            awaitTurn(index);
          }
          if (!pauseGate.awaitOpen()) {
            continue; // paused: look again whether the consumer still runs
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

    /** Receives once with the permits held, and hands on what came. */
    private void poll(int permits) throws InterruptedException {
      if (rateLimiter != null) {
        try {
          rateLimiter.acquire(permits);
        } catch (InterruptedException e) {
          flow.release(permits);
          throw e;
        }
      }
      if (!running.getAsBoolean()) { // [no receive is sent once the consumer has left RUNNING]: see Engine
        giveBack(permits);
        return;
      }
      long sentNanos = System.nanoTime();
      List<Message> messages;
      CompletableFuture<List<Message>> future = null;
      boolean answeredInline = false; // set once the receive is sent
      boolean timedOut = false;
      boolean tracked = false; // by the health, as a remote receive that may become overdue
      try {
        future = pauseGate.receive(runner, permits, waitTime, visibility);
        if (future == null) { // paused or stopped since this turn began: no receive was sent
          giveBack(permits);
          return;
        }
        answeredInline = future.isDone(); // before anything else can complete it
        if (!answeredInline) {
          health.receiving(index, HealthTracker.overdueAt(sentNanos, waitTime));
          tracked = true;
        }
        current = future;
        if (!running.getAsBoolean()) {
          future.cancel(true); // [no receive outlives stop]: stop() may have looked before we published
        }
        try {
          messages = future.get(receiveDeadlineNanos, TimeUnit.NANOSECONDS); // at once when answered in process
        } catch (TimeoutException e) {
          timedOut = future.cancel(true); // [no receive holds a poller for good]
          messages = future.get(); // done now: cancelled (below), or answered just as the deadline passed
        }
      } catch (CancellationException | InterruptedException e) {
        if (future != null && !future.cancel(true) && future.state() == Future.State.SUCCESS) {
          // answered an instant before the interrupt (a stop) woke this poller, which then saw only the
          // interrupt: the messages are ours, not the runner's, and go on below like any (Dispatch releases
          // them unstarted once the consumer no longer runs)
          messages = future.resultNow();
        } else { // cancelled before the answer: if it arrives anyway, the runner releases it (Runner#receive)
          giveBack(permits);
          if (running.getAsBoolean() && e instanceof CancellationException) {
            pollFailed(timedOut ? receiveTimedOut() : e); // else the runner cancelled a receive of its own
          }
          return;
        }
      } catch (ExecutionException | RuntimeException e) {
        giveBack(permits);
        if (running.getAsBoolean()) { // else our own cancelled receive, failing as the client aborts it
          pollFailed(e instanceof ExecutionException ? e.getCause() : e);
        }
        return;
      } catch (Error e) {
        giveBack(permits); // [permits back whatever a receive throws]; run() reports it and backs off
        throw e;
      } finally {
        current = null;
        if (tracked) {
          health.done(index);
        }
      }
      long rtt = System.nanoTime() - sentNanos;
      messages = keptToContract(messages, permits);
      if (messages == null) {
        giveBack(permits);
        pollFailed(new IllegalStateException("the runner's receive completed with null instead of a list"));
        return;
      }
      health.received();
      if (messages.size() > permits) {
        flow.overdraw(messages.size() - permits); // handled like any, given back as they finish
      } else {
        giveBack(permits - messages.size());
      }
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
        if (early && running.getAsBoolean()) {
          Thread.sleep(emptyBackoff.next());
        }
        return;
      }
      emptyBackoff.reset();
      boolean inProcess = answeredInline && rtt < IN_PROCESS_NANOS;
      boolean grow = !serverQueued(rtt) && anotherPollHelps(permits, messages.size())
          && (!inProcess || active < IN_PROCESS_POLLS);
      boolean shrink = messages.size() < permits / 2 || (inProcess && active > IN_PROCESS_POLLS);
      adjustActive(shrink ? -1 : grow ? 1 : 0);
      prefetch.roundTrip(rtt);
      dispatch.deliver(messages, sentNanos);
    }

    /**
     * Returns the answer of a receive as Runner#receive promises it: a user's runner may break the promise,
     * and nothing here may then leak permits or stop this poller. Null elements are dropped (nothing can be
     * released without its receipt handle); more messages than asked are kept, and the caller takes their
     * permits. Each breach is logged at ERROR, once per poller. Returns null for a null answer.
     */
    private List<Message> keptToContract(List<Message> messages, int asked) {
      if (messages == null) {
        return null;
      }
      int size = messages.size();
      boolean nulls = false;
      for (int i = 0; i < size && !nulls; i++) {
        nulls = messages.get(i) == null;
      }
      if (!nulls && size <= asked) {
        return messages;
      }
      if (!contractBroken) {
        contractBroken = true;
        LOG.error("{}: the runner answered a receive of at most {} messages with {}{}, against Runner#receive; "
            + "{} (logged once per poller)", name, asked, size, nulls ? ", null ones among them" : "",
            nulls ? "the null ones are dropped, the others handled" : "all are handled");
      }
      if (!nulls) {
        return messages;
      }
      List<Message> kept = new ArrayList<>(size);
      for (Message message : messages) {
        if (message != null) {
          kept.add(message);
        }
      }
      return kept;
    }

    /**
     * Whether one more overlapping poll would bring whole batches: this receive asked for a whole batch and
     * got it (the queue has more), and a whole batch of permits is free now, so no active poller is waiting
     * for permits. A full receive of fewer permits (taken after the batch wait) says the permits, not the
     * polls, are short: another poll would only split them into smaller receives.
     */
    private boolean anotherPollHelps(int permits, int received) {
      return permits == RECEIVE_BATCH && received == permits && flow.free() >= RECEIVE_BATCH;
    }

    /** A receive the deadline cancelled: logged at once (a runner that never answers is a bug somewhere). */
    private QueueException receiveTimedOut() {
      long millis = TimeUnit.NANOSECONDS.toMillis(receiveDeadlineNanos);
      LOG.warn("{}: a receive got no answer within {} ms (its wait time and a grace); cancelled, polling goes on",
          name, millis);
      return new QueueException(QueueException.Kind.TRANSIENT, "ReceiveTimedOut",
          "the runner did not answer a receive within " + millis + " ms", null);
    }

    private void pollFailed(Throwable cause) throws InterruptedException {
      Duration delay = backoff.next();
      failures++;
      health.failed(index);
      boolean fatal = QueueException.kindOf(cause) == QueueException.Kind.FATAL;
      if (fatal) {
        LOG.warn("{}: receiving failed (not transient), retrying with backoff: {}", name, Throwables.describe(cause));
      } else if (failures == WARN_AFTER_FAILURES) {
        LOG.warn("{}: receiving failed {} times in a row, retrying with backoff: {}", name, failures,
            Throwables.describe(cause));
      } else {
        LOG.debug("{}: receiving failed (attempt {}), retrying with backoff: {}", name, failures,
            Throwables.describe(cause));
      }
      listener.onPollError(cause, delay);
      adjustActive(Integer.MIN_VALUE);
      if (running.getAsBoolean()) {
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

  /**
   * Whether a receive that brought messages took over twice the floor (plus a millisecond of scheduling
   * noise): the server, or the way to it, queues our requests, so one more poll in flight would only wait in
   * that queue. The floor is the lowest such round trip of the last one to two windows, so it follows a
   * network that got slower within seconds but not the queueing that more polls cause. Pollers update it
   * racily: a lost update only shifts the floor a little.
   */
  private boolean serverQueued(long rtt) {
    long now = System.nanoTime();
    if (now - windowStartNanos > RTT_WINDOW_NANOS) {
      windowStartNanos = now;
      previousWindowFloorNanos = windowFloorNanos;
      windowFloorNanos = Long.MAX_VALUE;
    }
    if (rtt < windowFloorNanos) {
      windowFloorNanos = rtt;
    }
    long floor = Math.min(windowFloorNanos, previousWindowFloorNanos);
    return floor != Long.MAX_VALUE && rtt > 2 * floor + QUEUE_NOISE_NANOS; // MAX_VALUE: a racing reset
  }

  /** Gives back permits a receive did not fill, with their rate tokens. */
  private void giveBack(int permits) {
    flow.release(permits);
    if (rateLimiter != null) {
      rateLimiter.refund(permits);
    }
  }

  /** Changes how many pollers poll: +1, -1, or MIN_VALUE for only the first. */
  private void adjustActive(int change) {
    if (pollers.size() <= 1 || change == 0) {
      return;
    }
    lock.lock();
    try {
      int next = change == Integer.MIN_VALUE ? 1 : Math.clamp((long) active + change, 1, pollers.size());
      if (next > active) {
        activeChanged.signalAll();
      }
      active = next;
    } finally {
      lock.unlock();
    }
  }

  private void awaitTurn(int index) throws InterruptedException {
    if (index < active) {
      return; // its turn: no lock per receive (a change just after only lets this one receive once more)
    }
    lock.lock();
    try {
      while (index >= active && running.getAsBoolean()) {
        activeChanged.await();
      }
    } finally {
      lock.unlock();
    }
  }

  private void wakeAll() {
    lock.lock();
    try {
      activeChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
