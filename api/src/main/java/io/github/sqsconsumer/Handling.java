package io.github.sqsconsumer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Runs a unit on a worker thread: its hooks and handler, then hands the outcome on to the settlement. */
final class Handling {
  /*
   * Running a unit:
   *   hooks.before, the handler (one message, or the batch), hooks.after, then the settlement of each
   *   message. Whatever the handler or a hook throws, an Error too, is the unit's failure, not the
   *   worker's. Afterwards, whatever settling threw: the unit's time goes to the prefetch, its permits go
   *   back to the flow control, its slot and its sample to the adaptive concurrency gate, and for a FIFO
   *   queue the scheduler learns that the group may go on (or, after a failure, hands back the units
   *   waiting behind it).
   *   [permits back whatever the unit throws]
   * Concurrency:
   *   Called by worker threads, as many at once as the worker runs units; no state of its own.
   */
  private final MessageHandler handler; // null with a batch handler
  private final BatchHandler batchHandler; // null with a handler
  private final Hooks hooks; // null without hooks: the handler is called directly
  private final Settlement settlement;
  private final Prefetch prefetch;
  private final FlowControl flow;
  private final FifoScheduler fifo; // null for a standard queue
  private final HandlerTimeouts timeouts; // null without a handler timeout: nothing per unit
  private final ConcurrencyGate gate; // null without adaptive concurrency
  private final boolean timesHandlers; // a listener hears each handler's time
  /**
   * Units whose handler returned once the engine began to stop and whose outcomes are being handed to the
   * harvester (which may wait for room): the stop keeps the harvester open until none is left. Counted only
   * while stopping, so running costs one volatile read per unit; a unit that began settling just before
   * would have to settle for longer than the whole shutdown timeout to be missed.
   */
  private final LongAdder settling = new LongAdder();
  private volatile boolean stopping;

  Handling(MessageHandler handler, BatchHandler batchHandler, Hooks hooks, Settlement settlement,
      Prefetch prefetch, FlowControl flow, FifoScheduler fifo, String name, Duration handlerTimeout,
      ConcurrencyGate gate) {
    this.handler = handler;
    this.batchHandler = batchHandler;
    this.hooks = hooks;
    this.settlement = settlement;
    this.prefetch = prefetch;
    this.flow = flow;
    this.fifo = fifo;
    this.timeouts = handlerTimeout.isZero() ? null : new HandlerTimeouts(name, handlerTimeout, this::expired);
    this.gate = gate;
    this.timesHandlers = settlement.timesHandlers();
  }

  /** From now on, units count while they hand their outcomes over (see {@link #settling()}). */
  void stopping() {
    stopping = true;
  }

  /** {@return whether a unit whose handler returned since {@link #stopping()} is still handing its outcomes over} */
  boolean settling() {
    return settling.sum() > 0;
  }

  /** The handler timeouts' timer, to start and stop with the engine; null without a handler timeout. */
  HandlerTimeouts timeouts() {
    return timeouts;
  }

  /** Runs {@code unit}: handler, outcomes, permits back, next unit of its FIFO group. */
  void run(Unit unit) {
    long start = System.nanoTime();
    boolean failed = true;
    try {
      failed = batchHandler == null ? handleOne(unit, start) : handleBatch(unit, start);
    } catch (RuntimeException | Error e) {
      settlement.unsettled(unit, e);
    } finally {
      long took = System.nanoTime() - start;
      prefetch.unitTook(took);
      flow.release(unit.messages().size());
      if (gate != null) {
        gate.finished(took, unit.overloaded); // [its slot back whatever the unit throws]
      }
      if (fifo != null) {
        fifo.finished(unit, failed);
      }
    }
  }

  private boolean handleOne(Unit unit, long start) {
    Message message = unit.messages().get(0);
    Throwable failure = null;
    Object[] hooked = null;
    HandlerTimeouts.Watch watch = timeouts == null ? null : timeouts.watch(unit);
    try {
      if (hooks != null) {
        hooked = hooks.before(unit.messages()); // a hook that throws fails the unit like its handler
      }
      handler.handle(message);
    } catch (Throwable t) { // a handler's Error is the handler's failure, not the worker's
      failure = t;
    }
    HandlerTimeoutException expired = watch == null ? null : timeouts.end(watch);
    if (gate != null) {
      unit.overloaded = gate.overloaded(expired != null ? expired : failure);
    }
    if (hooked != null) {
      hooks.after(unit.messages(), hooked, expired != null ? expired : failure, null);
    }
    if (expired != null) {
      return true; // settled as failed by the timeouts (expired): [one outcome per message]
    }
    if (!stopping) { // [counted while the engine stops]: the common case pays one volatile read
      return settlement.settle(unit, failure, handlerTime(start));
    }
    Throwable settled = failure;
    long time = handlerTime(start);
    return counted(() -> settlement.settle(unit, settled, time));
  }

  private boolean handleBatch(Unit unit, long start) {
    List<Message> messages = unit.messages();
    BatchResult result = null;
    Throwable whole = null;
    Object[] hooked = null;
    HandlerTimeouts.Watch watch = timeouts == null ? null : timeouts.watch(unit);
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
    HandlerTimeoutException expired = watch == null ? null : timeouts.end(watch);
    if (expired != null) {
      whole = expired;
    }
    if (gate != null) {
      unit.overloaded = whole != null ? gate.overloaded(whole) : anyOverloaded(result);
    }
    if (hooked != null) {
      hooks.after(messages, hooked, whole, whole == null ? result : null);
    }
    if (expired != null) {
      return true; // settled as failed by the timeouts (expired): [one outcome per message]
    }
    if (!stopping) { // [counted while the engine stops]: the common case pays one volatile read
      return settlement.settleBatch(unit, whole, result, handlerTime(start));
    }
    BatchResult settled = result;
    Throwable settledWhole = whole;
    long time = handlerTime(start);
    return counted(() -> settlement.settleBatch(unit, settledWhole, settled, time));
  }

  /** Settles while the engine stops, counted in {@link #settling} meanwhile. */
  private boolean counted(java.util.function.BooleanSupplier settle) {
    settling.increment();
    try {
      return settle.getAsBoolean();
    } finally {
      settling.decrement();
    }
  }

  /** The handler's time for the listeners, from {@code start}; not read from the clock when none listens. */
  private long handlerTime(long start) {
    return timesHandlers ? System.nanoTime() - start : 0;
  }

  private boolean anyOverloaded(BatchResult result) {
    for (Throwable failure : result.failures().values()) {
      if (gate.overloaded(failure)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Settles a unit whose handler outlived the handler timeout, every message failed with {@code cause}, on
   * a thread of the timeouts while the handler may still run: the listeners hear it now, the harvester
   * gets the outcomes (FIFO: the first by the retry policy, the rest of its group released at once, as after
   * any failure) from the returned action, which the timeouts run once the handler has returned, and
   * once this has returned (whichever comes last). Its permits and its FIFO group stay taken until the
   * handler returns ({@link #run}); on a FIFO queue the group's head is still in flight until its release,
   * so nothing of the group is received again before it.
   */
  private Runnable expired(Unit unit, HandlerTimeoutException cause) {
    try {
      return settlement.settleExpired(unit, cause, cause.timeout().toNanos());
    } catch (RuntimeException | Error e) {
      settlement.unsettled(unit, e);
      return () -> {};
    }
  }
}
