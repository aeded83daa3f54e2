package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * A candidate consuming an {@link InMemoryQueue} that a {@link Producer} keeps full: no network, so what is
 * measured is the consumer's own cost (polling, dispatch, acknowledgement) and its concurrency.
 * Not thread-safe: one thread sets it up and closes it.
 */
final class MemoryRig implements AutoCloseable {
  static final String QUEUE = "bench";

  final InMemoryQueue queue;
  final Meter meter = new Meter();
  private final Producer producer;
  private final Candidate candidate;
  private final HandlerType handler;
  private final int concurrency;
  private final UnaryOperator<Consumer.Builder> customize;
  private AutoCloseable consumer;

  /**
   * Starts the producer and the candidate.
   *
   * @param candidate a library combination or an in-memory baseline
   */
  MemoryRig(Candidate candidate, HandlerType handler, int concurrency) {
    this(candidate, handler, concurrency, true, UnaryOperator.identity());
  }

  /** Starts the producer and the candidate, whose builder passes through {@code customize} first. */
  MemoryRig(Candidate candidate, HandlerType handler, int concurrency, UnaryOperator<Consumer.Builder> customize) {
    this(candidate, handler, concurrency, true, customize);
  }

  /**
   * Starts the producer and, if {@code startConsumer}, the candidate; else call {@link #startConsumer()}
   * (to take a reading of the rig without the consumer first). A library candidate's builder passes
   * through {@code customize} before it is built (hooks, listeners, the log context).
   */
  MemoryRig(Candidate candidate, HandlerType handler, int concurrency, boolean startConsumer,
      UnaryOperator<Consumer.Builder> customize) {
    this.candidate = candidate;
    this.handler = handler;
    this.concurrency = concurrency;
    this.customize = customize;
    // 60 s: nothing in a benchmark should be redelivered; trackMessages(false): millions of messages
    queue = InMemoryQueue.standard(QUEUE, Duration.ofSeconds(60)).trackMessages(false);
    long backlog = backlog(concurrency);
    producer = Producer.keepingBacklog(bodies -> {
      for (String body : bodies) {
        queue.send(body);
      }
      return CompletableFuture.completedFuture(null);
    }, meter, backlog);
    if (startConsumer) {
      startConsumer();
    }
  }

  /** Starts the candidate; once only. */
  void startConsumer() {
    if (consumer != null) {
      throw new IllegalStateException("consumer already started");
    }
    consumer = start(candidate, handler, concurrency, customize);
  }

  /** Returns how many messages the producer sent so far. */
  long sent() {
    return producer.sent();
  }

  /**
   * Returns how many sent-and-unhandled messages the producer keeps: 1,000 more than the consumer may hold
   * (its handlers plus its prefetch), so it never finds the queue empty and the producer never sets the pace.
   */
  static long backlog(int concurrency) {
    return concurrency + (long) defaultPrefetch(concurrency) + 1_000;
  }

  /**
   * Returns the consumer's default prefetch, {@code max(10, 6 x concurrency)} capped at 10,000 (see
   * {@code Consumer.Builder.prefetch}): a copy, as the api keeps its own package-private;
   * {@code MemoryRigTest} checks the two agree.
   */
  static int defaultPrefetch(int concurrency) {
    return Math.min(10_000, Math.max(10, 6 * concurrency));
  }

  private AutoCloseable start(Candidate candidate, HandlerType handler, int concurrency,
      UnaryOperator<Consumer.Builder> customize) {
    if (candidate.isLibrary()) {
      Consumer consumer = customize.apply(Consumer.builder()
          .name("bench")
          .queue(QUEUE)
          .runner(queue.runner())
          .worker(candidate.worker().providerName())
          .harvester(candidate.harvester().providerName())
          .concurrency(concurrency)
          .shutdownTimeout(Duration.ofSeconds(5))
          .handler(message -> {
            handler.work();
            meter.handled(Long.parseLong(message.body()));
          }))
          .build();
      consumer.start();
      return consumer;
    }
    return PlainMemoryConsumer.start(candidate.baseline(), queue, concurrency, (Message message) -> {
      try {
        handler.work();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      meter.handled(Long.parseLong(message.body()));
    });
  }

  @Override
  public void close() throws Exception {
    producer.close();
    if (consumer != null) {
      consumer.close();
    }
  }
}
