package io.github.sqsconsumer;

import java.util.List;

/** Runs a unit on a worker thread: its hooks and handler, then hands the outcome on to the settlement. */
final class Handling {
  /*
   * Running a unit:
   *   hooks.before, the handler (one message, or the batch), hooks.after, then the settlement of each
   *   message. Whatever the handler or a hook throws, an Error too, is the unit's failure, not the
   *   worker's. Afterwards, whatever settling threw: the unit's time goes to the prefetch, its permits go
   *   back to the flow control, and for a FIFO queue the scheduler learns that the group may go on (or,
   *   after a failure, hands back the units waiting behind it).
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

  Handling(MessageHandler handler, BatchHandler batchHandler, Hooks hooks, Settlement settlement,
      Prefetch prefetch, FlowControl flow, FifoScheduler fifo) {
    this.handler = handler;
    this.batchHandler = batchHandler;
    this.hooks = hooks;
    this.settlement = settlement;
    this.prefetch = prefetch;
    this.flow = flow;
    this.fifo = fifo;
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
      prefetch.unitTook(System.nanoTime() - start);
      flow.release(unit.messages().size());
      if (fifo != null) {
        fifo.finished(unit, failed);
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
    return settlement.settle(unit, failure, System.nanoTime() - start);
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
    return settlement.settleBatch(unit, whole, result, System.nanoTime() - start);
  }
}
