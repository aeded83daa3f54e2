package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Takes what a receive brought: registers it, splits it into units and hands them to the worker. */
final class Dispatch {
  /*
   * Delivering a receive:
   *   Every message enters the in-flight registry (the heartbeat keeps it alive from then on) and the
   *   listener hears of it. The receive is split into units: single messages, or batches of up to the
   *   batch size (for FIFO, runs of one group). A standard queue's units go to the worker in order; a FIFO
   *   queue's go to the FifoScheduler first, and only the heads of idle groups go to the worker from here.
   *   With a batching window the receive goes to the BatchAssembler instead, whose flusher submits each
   *   batch through here.
   * Concurrency:
   *   Called by the pollers. A submit blocks while the worker is full: that wait is the prefetch buffer,
   *   and the heartbeat covers it. It waits in slices, so that it notices when the consumer stops.
   * Handing back:
   *   [every received message reaches the worker or is released]: a unit that is not taken (the consumer
   *   stops, the worker fails or throws an Error) is released unstarted at once, and with it every later
   *   unit of the same receive; a FIFO head goes back with the followers waiting behind it.
   */
  private static final Logger LOG = LoggerFactory.getLogger(Dispatch.class);
  /** How long a blocked submit waits before it checks whether the consumer is stopping. */
  private static final Duration SUBMIT_SLICE = Duration.ofMillis(500);

  private final String name;
  private final Worker worker;
  private final InFlight registry;
  private final ConsumerListener listener;
  private final Duration visibility;
  private final int batchSize; // 0: one message per unit
  private final Handling handling;
  private final Settlement settlement;
  private final FifoScheduler fifo; // null for a standard queue
  private final BatchAssembler assembler; // null without a batching window
  private final BooleanSupplier running;

  /**
   * {@code visibility} is what every receive asks for; {@code batchSize} is the batch handler's, or 0 for
   * single messages; {@code assembler} gathers batches across receives, or is null.
   */
  Dispatch(String name, Worker worker, InFlight registry, ConsumerListener listener, Duration visibility,
      int batchSize, Handling handling, Settlement settlement, FifoScheduler fifo, BatchAssembler assembler,
      BooleanSupplier running) {
    this.name = name;
    this.worker = worker;
    this.registry = registry;
    this.listener = SafeListener.of(listener); // [a listener's throw changes nothing]: see SafeListener
    this.visibility = visibility;
    this.batchSize = batchSize;
    this.handling = handling;
    this.settlement = settlement;
    this.fifo = fifo;
    this.assembler = assembler;
    this.running = running;
  }

  /** Starts the FIFO dispatcher, if the queue is FIFO, and the batch assembler's flusher, if any. */
  void start() {
    if (fifo != null) {
      fifo.start(this::submit);
    }
    if (assembler != null) {
      assembler.start(this::submit);
    }
  }

  /** Delivers what a receive sent at {@code sentNanos} brought. */
  void deliver(List<Message> messages, long sentNanos) {
    long deadline = sentNanos + visibility.toNanos(); // [deadline <= when the queue shows it again]
    registry.addAll(messages, sentNanos, deadline);
    for (Message message : messages) {
      listener.onReceived(message);
    }
    if (assembler != null) {
      if (running.getAsBoolean()) {
        assembler.add(messages); // releases what it cannot take
      } else {
        settlement.releaseUnstarted(new Unit(handling, List.copyOf(messages)));
      }
      return;
    }
    List<Unit> units = split(messages);
    if (!running.getAsBoolean()) {
      units.forEach(settlement::releaseUnstarted);
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
        units.subList(taken, units.size()).forEach(settlement::releaseUnstarted);
      }
      return;
    }
    List<Unit> heads = fifo.offer(units);
    if (heads == null) {
      units.forEach(settlement::releaseUnstarted);
      return;
    }
    for (int i = 0; i < heads.size(); i++) {
      boolean taken;
      try {
        taken = submit(heads.get(i));
      } catch (Error e) {
        heads.subList(i, heads.size()).forEach(fifo::unstarted); // this head and the later ones
        throw e;
      }
      if (!taken) {
        fifo.unstarted(heads.get(i)); // stopping; the scheduler hands back the other groups' followers at close
      }
    }
  }

  /** Splits a receive into units: single messages, or batches (for FIFO, runs of one group). */
  private List<Unit> split(List<Message> messages) {
    List<Unit> units = new ArrayList<>(batchSize == 0 ? messages.size() : 2);
    if (batchSize == 0) {
      for (Message message : messages) {
        units.add(new Unit(handling, List.of(message)));
      }
      return units;
    }
    List<Message> current = new ArrayList<>(batchSize);
    for (Message message : messages) {
      boolean sameGroup = current.isEmpty()
          || current.get(0).groupId().equals(message.groupId());
      if (current.size() == batchSize || !sameGroup) {
        units.add(new Unit(handling, List.copyOf(current)));
        current.clear();
      }
      current.add(message);
    }
    units.add(new Unit(handling, List.copyOf(current)));
    return units;
  }

  /**
   * Submits, waiting for room; returns false if the consumer stopped first, or the worker failed, and the
   * unit was not taken (the caller releases it). An Error out of the worker (no memory for a thread)
   * passes through: the caller releases the unit, and what else it holds, then lets it go on.
   */
  private boolean submit(Unit unit) {
    try {
      while (running.getAsBoolean()) {
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
      LOG.error("{}: the worker failed to accept {}; its messages are released", name, unit, Throwables.loggable(e));
    }
    return false;
  }
}
