package io.github.sqsconsumer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/*
 * Concurrency:
 *   `chains` receive chains (POLLERS unless a diagnostic asks for fewer), each fully asynchronous: when a receive completes (on the SDK's response
 *   thread) the chain sends its next receive first, then starts a virtual thread per message. No thread
 *   blocks on a receive and nothing waits for room: there is no limit.
 *   A handler thread runs the handler, appends the receipt handle to `toDelete` and then counts it in
 *   `pending`: [pending <= toDelete.size()] outside a taker's two steps. Whoever lifts `pending` to 10 or
 *   more takes 10 by a CAS on `pending` and then polls exactly 10 handles, which are there because each was
 *   added before it was counted; it sends them as one DeleteMessageBatch without waiting for the reply.
 *   The flusher, a virtual thread waking every 2 ms, takes what is left when `pending` did not move for a
 *   tick, so the last few messages of a burst are deleted too.
 * Shutdown:
 *   close() stops new receives and the flusher; receives in flight end with the client, which the caller
 *   closes after. Handlers still running finish; their deletes may fail against a closed client, ignored.
 */
/**
 * The ceiling: the strongest consumer written with the SDK alone and no concurrency limit. Many parallel
 * long polls chained asynchronously, a virtual thread per message, DeleteMessageBatch of 10 formed by the
 * handlers themselves (no deleter thread to wake per message). Nothing bounds the messages in memory; no
 * consumer should be written this way, but it shows what the machine and the server can do at all.
 */
final class UncappedSdkConsumer implements AutoCloseable {
  /**
   * Parallel receives: enough for ~20,000 messages/s at a 25 ms round trip; more only add requests that
   * come back short at the end of a drain. {@code -Dbench.uncappedPollers} overrides it, for tuning.
   */
  static final int POLLERS = Integer.getInteger("bench.uncappedPollers", 32);
  private static final int BATCH = 10;
  private static final long FLUSH_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  /** After a failed receive a chain waits a moment, so that a server failing fast is not hammered. */
  private static final Executor RETRY_LATER = CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS);

  private final SqsAsyncClient client;
  private final String queueUrl;
  private final Consumer<Message> handler;
  private final ReceiveMessageRequest receive;
  private final ThreadFactory handlers = Thread.ofVirtual().name("uncapped-sdk-handler").factory();
  private final ConcurrentLinkedQueue<String> toDelete = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final Thread flusher;
  private volatile boolean running = true;

  private UncappedSdkConsumer(SqsAsyncClient client, String queueUrl, Consumer<Message> handler, int chains) {
    this.client = client;
    this.queueUrl = queueUrl;
    this.handler = handler;
    this.receive = ReceiveMessageRequest.builder().queueUrl(queueUrl).maxNumberOfMessages(BATCH)
        .waitTimeSeconds(20).build();
    for (int i = 0; i < chains; i++) {
      poll();
    }
    this.flusher = Thread.ofVirtual().name("uncapped-sdk-flusher").start(this::flushLoop);
  }

  /** Starts consuming with {@link #POLLERS} receive chains; {@code handler} must not throw. */
  static UncappedSdkConsumer start(SqsAsyncClient client, String queueUrl, Consumer<Message> handler) {
    return start(client, queueUrl, handler, POLLERS);
  }

  /**
   * Starts consuming with {@code chains} receive chains; {@code handler} must not throw. Fewer chains than
   * {@link #POLLERS} is for diagnosis ({@link Drain}'s {@code UNCAPPED_SDK:chainsN}): it shows what the
   * number of receives in flight alone is worth.
   */
  static UncappedSdkConsumer start(SqsAsyncClient client, String queueUrl, Consumer<Message> handler, int chains) {
    if (chains < 1) {
      throw new IllegalArgumentException("chains must be at least 1 but was " + chains);
    }
    return new UncappedSdkConsumer(client, queueUrl, handler, chains);
  }

  private void poll() {
    if (!running) {
      return;
    }
    CompletableFuture<ReceiveMessageResponse> reply;
    try {
      reply = client.receiveMessage(receive);
    } catch (RuntimeException e) { // client closed
      return;
    }
    reply.whenComplete((response, failure) -> {
      if (failure != null) {
        RETRY_LATER.execute(this::poll);
        return;
      }
      poll();
      for (Message message : response.messages()) {
        handlers.newThread(() -> handle(message)).start();
      }
    });
  }

  private void handle(Message message) {
    handler.accept(message);
    toDelete.add(message.receiptHandle());
    pending.incrementAndGet();
    int now;
    while ((now = pending.get()) >= BATCH) {
      if (pending.compareAndSet(now, now - BATCH)) {
        delete(BATCH);
      }
    }
  }

  private void flushLoop() {
    int last = -1;
    while (running) {
      try {
        TimeUnit.NANOSECONDS.sleep(FLUSH_TICK_NANOS);
      } catch (InterruptedException e) {
        return;
      }
      int now = pending.get();
      if (now > 0 && now == last && pending.compareAndSet(now, 0)) {
        delete(now);
        now = 0;
      }
      last = now;
    }
  }

  /** Polls {@code count} handles (taken from {@code pending} by the caller) and deletes them in one request. */
  private void delete(int count) {
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(toDelete.poll())
          .build());
    }
    try {
      client.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
    } catch (RuntimeException e) {
      if (running) {
        throw e;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    flusher.interrupt();
    flusher.join(Duration.ofSeconds(5));
  }
}
