package io.github.sqsconsumer.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/*
 * Concurrency:
 *   One platform thread sends; replies of asynchronous sends give back `inFlight` permits on any thread.
 *   `sent` is written by the sending thread only, read by anyone.
 */
/**
 * Keeps a queue fed while a candidate consumes it, in one of two modes: keep a backlog (sent and not yet
 * handled messages stay near a target, so the consumer always finds a full queue: a saturation test), or
 * send at a fixed rate (an open-loop load, for latency). Every body is the {@link System#nanoTime()} of its
 * send, for the latency from send to handler. Thread-safe.
 */
final class Producer implements AutoCloseable {

  /** Sends ten messages with the given bodies. */
  interface Sink {
    CompletableFuture<?> send(String[] bodies);
  }

  private static final int BATCH = 10;
  private static final int MAX_IN_FLIGHT = 16;

  private final Sink sink;
  private final Meter meter;
  private final long backlog;
  private final double ratePerSecond;
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  private Producer(Sink sink, Meter meter, long backlog, double ratePerSecond) {
    this.sink = sink;
    this.meter = meter;
    this.backlog = backlog;
    this.ratePerSecond = ratePerSecond;
    this.thread = Thread.ofPlatform().daemon().name("producer").start(this::loop);
  }

  /** Starts a producer that keeps about {@code backlog} messages sent and not yet handled. */
  static Producer keepingBacklog(Sink sink, Meter meter, long backlog) {
    return new Producer(sink, meter, backlog, 0);
  }

  /** Starts a producer that sends {@code ratePerSecond} messages a second, in batches of ten. */
  static Producer atRate(Sink sink, Meter meter, double ratePerSecond) {
    return new Producer(sink, meter, Long.MAX_VALUE, ratePerSecond);
  }

  /** Returns how many messages were sent. */
  long sent() {
    return sent.get();
  }

  /** Returns how many batches failed to send. */
  long failures() {
    return failures.get();
  }

  private void loop() {
    long start = System.nanoTime();
    String[] bodies = new String[BATCH];
    while (running) {
      if (ratePerSecond > 0) {
        long due = start + (long) (sent.get() / ratePerSecond * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
          continue;
        }
      } else if (sent.get() - meter.count() >= backlog) {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        continue;
      }
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        return;
      }
      String now = Long.toString(System.nanoTime());
      for (int i = 0; i < BATCH; i++) {
        bodies[i] = now;
      }
      sent.addAndGet(BATCH);
      CompletableFuture<?> reply;
      try {
        reply = sink.send(bodies.clone());
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
      reply.whenComplete((ok, failure) -> {
        if (failure != null) {
          failures.incrementAndGet();
          sent.addAndGet(-BATCH); // keep the backlog right
        }
        inFlight.release();
      });
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
