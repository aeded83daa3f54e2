package io.github.sqsconsumer.runner.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.BatchResult;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerException;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The whole consumer — core, SQS runner, semaphore worker, batch harvester — against ElasticMQ on
 * loopback over real HTTP. Each test uses its own queue; waits poll observable state with a deadline.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
final class SqsConsumerEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final AtomicInteger QUEUES = new AtomicInteger();

  private static ElasticMqServer sqs;
  private static SqsAsyncClient client;

  @BeforeAll
  static void startServer() {
    sqs = new ElasticMqServer().start();
    client = SqsTestClients.client(sqs.endpoint());
  }

  @AfterAll
  static void stopServer() {
    if (client != null) {
      client.close();
    }
    if (sqs != null) {
      sqs.close();
    }
  }

  private static String newQueue(String prefix, Map<String, String> attributes) {
    return sqs.createQueue(prefix + "-" + QUEUES.incrementAndGet(), attributes);
  }

  /**
   * A builder with the parts under test and the runner's own client pointed at the server. Long polls of a
   * second: a runner-built client closes once the last ones answered, and twenty seconds of them would keep
   * a server and its clients busy across tests.
   */
  private static Consumer.Builder consumer(ElasticMqServer server, String queueUrl) {
    return Consumer.builder()
        .name("e2e")
        .queue(queueUrl)
        .runner("sqs")
        .worker("semaphore")
        .harvester("batch")
        .waitTime(Duration.ofSeconds(1))
        .setting("sqs.endpoint", server.endpoint().toString())
        .setting("sqs.region", "us-east-1");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + DEADLINE + " waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  /**
   * An endpoint that takes connections and never answers: start() would spend minutes on its attempts (the
   * SDK's retries of 30 s reads, four times over). A close() from another thread returns within its bound
   * (the shutdown timeout, 5 s and the runner's 2 s), start() gives up, and the consumer is TERMINATED.
   * (Regression: close() waited for start(), 484 s in the audit.)
   */
  @Test
  void close_whileStartConnectsToASilentEndpoint_returnsWithinItsBound() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<java.net.Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // kept open, never read from or answered
          }
        } catch (java.io.IOException closed) {
          // the test is over
        }
      });
      String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
      Duration shutdownTimeout = Duration.ofSeconds(2);
      Consumer consumer = Consumer.builder().name("silent").queue(endpoint + "/000000000000/silent")
          .runner("sqs").worker("semaphore").harvester("batch").shutdownTimeout(shutdownTimeout)
          .setting("sqs.endpoint", endpoint).setting("sqs.region", "us-east-1")
          .handler(m -> {}).build();
      java.util.concurrent.CompletableFuture<Throwable> started = new java.util.concurrent.CompletableFuture<>();
      Thread starter = Thread.ofPlatform().start(() -> {
        try {
          consumer.start();
          started.complete(null);
        } catch (Throwable e) {
          started.complete(e);
        }
      });
      await("start() to connect", () -> !accepted.isEmpty());

      long begin = System.nanoTime();
      consumer.close();
      Duration took = Duration.ofNanos(System.nanoTime() - begin);

      assertThat(took).as("close() within its documented bound")
          .isLessThan(shutdownTimeout.plusSeconds(5).plusSeconds(2));
      assertThat(started.get(30, TimeUnit.SECONDS)).isInstanceOf(ConsumerException.class)
          .hasMessageContaining("closed while connecting");
      assertThat(starter.join(Duration.ofSeconds(30))).isTrue();
      assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
      for (java.net.Socket socket : accepted) {
        socket.close();
      }
      acceptor.interrupt();
    }
  }

  private static void sendMany(String url, int count, String prefix) {
    for (int i = 0; i < count; i++) {
      sqs.sendMessage(url, prefix + i);
    }
  }

  // ---- handling and deleting ------------------------------------------------------------------------

  @Test
  void consume_allHandledAndDeleted() throws Exception {
    String url = newQueue("all", Map.of());
    sendMany(url, 200, "m");
    Set<String> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger calls = new AtomicInteger();

    try (Consumer consumer = consumer(sqs, url).concurrency(10).handler(m -> {
      calls.incrementAndGet();
      handled.add(m.body());
    }).build()) {
      consumer.start();
      await("all 200 are handled", () -> handled.size() == 200);
      await("all 200 are deleted", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(calls.get()).as("each handled once: nothing was redelivered").isEqualTo(200);
  }

  /**
   * Batch handler with partial failures: the failed messages of a batch come back, the others are deleted.
   * And what concurrency counts in this mode: batches. The first batches wait until {@code concurrency} of
   * them run at once, so the most batches running is exactly the concurrency (never more), while the
   * messages running at once exceed it.
   */
  @Test
  void consume_batchHandlerPartialFailures() throws Exception {
    String url = newQueue("batches", Map.of());
    sendMany(url, 50, "m");
    int concurrency = 4;
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    CountDownLatch allSlotsBusy = new CountDownLatch(concurrency);
    AtomicInteger batchesRunning = new AtomicInteger();
    AtomicInteger maxBatchesRunning = new AtomicInteger();
    AtomicInteger messagesRunning = new AtomicInteger();
    AtomicInteger maxMessagesRunning = new AtomicInteger();

    // the user's own client this time
    try (Consumer consumer = Consumer.builder().queue(url).runner("sqs").worker("semaphore").harvester("batch")
        .component(SqsAsyncClient.class, client)
        .concurrency(concurrency)
        .batchSize(10)
        .retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .batchHandler(batch -> {
          maxBatchesRunning.accumulateAndGet(batchesRunning.incrementAndGet(), Math::max);
          maxMessagesRunning.accumulateAndGet(messagesRunning.addAndGet(batch.size()), Math::max);
          try {
            allSlotsBusy.countDown();
            allSlotsBusy.await(20, TimeUnit.SECONDS); // the first batches wait for each other
            BatchResult.Builder result = BatchResult.builder();
            for (Message m : batch) {
              int n = attempts.computeIfAbsent(m.body(), k -> new AtomicInteger()).incrementAndGet();
              // every third message fails its first attempt
              if (n == 1 && Integer.parseInt(m.body().substring(1)) % 3 == 0) {
                result.failed(m, new IllegalStateException("first attempt fails"));
              } else {
                succeeded.add(m.body());
              }
            }
            return result.build();
          } finally {
            messagesRunning.addAndGet(-batch.size());
            batchesRunning.decrementAndGet();
          }
        }).build()) {
      consumer.start();
      await("all 50 succeed", () -> succeeded.size() == 50);
      await("all 50 are deleted", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(client.listQueues().get()).as("the user's client is still open").isNotNull();
    assertThat(allSlotsBusy.getCount()).as("concurrency batches ran at once").isZero();
    assertThat(maxBatchesRunning.get()).as("most batches running at once: concurrency counts batches")
        .isEqualTo(concurrency);
    assertThat(maxMessagesRunning.get()).as("most messages running at once: more than the concurrency")
        .isGreaterThan(concurrency);
    attempts.forEach((body, n) -> {
      int expected = Integer.parseInt(body.substring(1)) % 3 == 0 ? 2 : 1;
      assertThat(n.get()).as(body).isEqualTo(expected);
    });
  }

  // ---- flow control ---------------------------------------------------------------------------------

  /**
   * Received-and-unfinished never exceeds concurrency + prefetch. (Not {@code inFlight()}: that also counts
   * finished messages whose deletion waits in the batch harvester.)
   */
  @Test
  void consume_backpressureBoundsUnfinished() throws Exception {
    String url = newQueue("backpressure", Map.of());
    sendMany(url, 100, "m");
    int concurrency = 4;
    int prefetch = 2;
    AtomicInteger unfinished = new AtomicInteger(); // +1 when received, -1 when its handler ends
    AtomicInteger maxUnfinished = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();

    ConsumerListener counter = new ConsumerListener() {
      @Override
      public void onReceived(Message message) {
        maxUnfinished.accumulateAndGet(unfinished.incrementAndGet(), Math::max);
      }
    };
    try (Consumer consumer = consumer(sqs, url).concurrency(concurrency).prefetch(prefetch).listener(counter)
        .handler(m -> {
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          Thread.sleep(10); // the work: long enough that receiving could run ahead
          running.decrementAndGet();
          unfinished.decrementAndGet(); // before the core gets the permit back: never over-counts
          done.incrementAndGet();
        }).build()) {
      consumer.start();
      await("all 100 are handled", () -> done.get() == 100);
      await("all 100 are deleted", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(maxRunning.get()).isLessThanOrEqualTo(concurrency); // [running <= concurrency]
    assertThat(maxUnfinished.get()).isLessThanOrEqualTo(concurrency + prefetch); // [unfinished <= c + p]
    assertThat(maxUnfinished.get()).as("the consumer did run ahead of its handlers").isGreaterThan(concurrency);
  }

  // ---- visibility -----------------------------------------------------------------------------------

  @Test
  void consume_heartbeatKeepsSlowMessageInvisible() throws Exception {
    String url = newQueue("heartbeat", Map.of("VisibilityTimeout", "2"));
    sqs.sendMessage(url, "slow");
    AtomicInteger received = new AtomicInteger();
    AtomicInteger extended = new AtomicInteger();
    CountDownLatch finished = new CountDownLatch(1);

    ConsumerListener listener = new ConsumerListener() {
      @Override
      public void onReceived(Message message) {
        received.incrementAndGet();
      }

      @Override
      public void onVisibilityExtended(Message message, Duration visibility) {
        extended.incrementAndGet();
      }
    };
    try (Consumer consumer = consumer(sqs, url).concurrency(2).listener(listener).handler(m -> {
      Thread.sleep(6_000); // 3 x the queue's visibility timeout
      finished.countDown();
    }).build()) {
      consumer.start();
      assertThat(finished.await(20, TimeUnit.SECONDS)).isTrue();
      await("the slow message is deleted", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(received.get()).as("not redelivered while its handler ran").isEqualTo(1);
    assertThat(extended.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void consume_retryAfterPolicyDelay() throws Exception {
    String url = newQueue("retry", Map.of("VisibilityTimeout", "30"));
    sqs.sendMessage(url, "flaky");
    List<Long> attemptsAt = new CopyOnWriteArrayList<>();

    try (Consumer consumer = consumer(sqs, url).retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(2)))
        .handler(m -> {
          attemptsAt.add(System.nanoTime());
          if (m.receiveCount() == 1) {
            throw new IllegalStateException("first attempt fails");
          }
        }).build()) {
      consumer.start();
      await("the message is deleted after its retry", () -> attemptsAt.size() == 2 && sqs.approximateMessages(url) == 0);
    }
    Duration gap = Duration.ofNanos(attemptsAt.get(1) - attemptsAt.get(0));
    // the policy's 2 s, not the queue's 30 s
    assertThat(gap).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(10));
  }

  @Test
  void consume_deadLetterQueueAfterMaxReceiveCount() throws Exception {
    String dlq = newQueue("dead-letters", Map.of());
    String url = newQueue("poison", Map.of("RedrivePolicy", sqs.redrivePolicy(dlq, 2)));
    sqs.sendMessage(url, "poison");
    AtomicInteger attempts = new AtomicInteger();

    try (Consumer consumer = consumer(sqs, url).retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .handler(m -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("always fails");
        }).build()) {
      consumer.start();
      await("the message moved to the dead-letter queue", () -> sqs.approximateMessages(dlq) == 1);
      await("the source queue is empty", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(attempts.get()).isEqualTo(2);
  }

  // Regression: Builder.visibilityTimeout was not sent with ReceiveMessage. Messages were hidden for the
  // queue's timeout only (1 s here) while the heartbeat was paced by the configured one (its first tick
  // after 5 s), so the message became visible again while its handler still ran and another receive got it.
  @Test
  void visibilityTimeout_isWhatEachReceiveAsksFor() throws Exception {
    String url = newQueue("configured-visibility", Map.of("VisibilityTimeout", "1"));
    sqs.sendMessage(url, "slow");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);

    try (Consumer consumer = consumer(sqs, url).visibilityTimeout(Duration.ofSeconds(30)).concurrency(1)
        .handler(m -> {
          started.countDown();
          finish.await(60, TimeUnit.SECONDS);
        }).build()) {
      consumer.start();
      assertThat(started.await(30, TimeUnit.SECONDS)).as("the handler started").isTrue();
      // another consumer's long poll, three times the queue's timeout: the message must stay hidden
      List<software.amazon.awssdk.services.sqs.model.Message> second = client.receiveMessage(b -> b
          .queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(3)).get(30, TimeUnit.SECONDS).messages();
      finish.countDown();
      assertThat(second).as("received again while its handler ran").isEmpty();
      await("the message is deleted", () -> sqs.approximateMessages(url) == 0);
    }
  }

  // ---- FIFO -----------------------------------------------------------------------------------------

  @Test
  void consume_fifoKeepsOrderPerGroup() throws Exception {
    String url = sqs.createQueue("ordered-" + QUEUES.incrementAndGet() + ".fifo", Map.of("FifoQueue", "true"));
    int groups = 20;
    int perGroup = 10;
    for (int i = 0; i < perGroup; i++) {
      for (int g = 0; g < groups; g++) {
        sqs.sendMessage(url, g + ":" + i, "group-" + g);
      }
    }
    Map<String, List<Integer>> succeededInOrder = new ConcurrentHashMap<>();
    Map<String, AtomicBoolean> busy = new ConcurrentHashMap<>();
    List<String> violations = new CopyOnWriteArrayList<>();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    AtomicInteger successes = new AtomicInteger();

    try (Consumer consumer = consumer(sqs, url).concurrency(10).retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .handler(m -> {
          String group = m.groupId().orElseThrow();
          if (!busy.computeIfAbsent(group, k -> new AtomicBoolean()).compareAndSet(false, true)) {
            violations.add("two messages of " + group + " at once");
          }
          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            int sequence = Integer.parseInt(m.body().substring(m.body().indexOf(':') + 1));
            Thread.sleep(2);
            if (sequence % 4 == 1 && m.receiveCount() == 1) {
              throw new IllegalStateException("fails once"); // must hold back the rest of its group
            }
            List<Integer> done = succeededInOrder.computeIfAbsent(group, k -> Collections.synchronizedList(new ArrayList<>()));
            int expected = done.size();
            if (sequence != expected) {
              violations.add(group + " handled " + sequence + " after " + done);
            }
            done.add(sequence);
            successes.incrementAndGet();
          } finally {
            running.decrementAndGet();
            busy.get(group).set(false);
          }
        }).build()) {
      consumer.start();
      await("all 200 succeed", () -> successes.get() >= groups * perGroup);
      await("all are deleted", () -> sqs.approximateMessages(url) == 0);
    }
    assertThat(violations).isEmpty();
    assertThat(succeededInOrder).hasSize(groups);
    assertThat(maxRunning.get()).isLessThanOrEqualTo(10).as("groups ran in parallel").isGreaterThan(1);
  }

  // ---- stopping -------------------------------------------------------------------------------------

  /**
   * Stop with 100 in flight, half of them running: the running ones finish and are deleted, the 50 that
   * never started are visible again at once (not after the queue's 300 s), nothing is lost.
   */
  @Test
  void close_withHundredInFlight() throws Exception {
    String url = newQueue("stop", Map.of("VisibilityTimeout", "300"));
    sendMany(url, 100, "m");
    Set<String> started = ConcurrentHashMap.newKeySet();
    Set<String> completed = ConcurrentHashMap.newKeySet();
    CountDownLatch closing = new CountDownLatch(1);
    Duration shutdownTimeout = Duration.ofSeconds(10);

    Consumer consumer = consumer(sqs, url).concurrency(50).prefetch(50).shutdownTimeout(shutdownTimeout)
        .handler(m -> {
          started.add(m.id());
          closing.await(); // hold every handler until close begins, so that all 100 are in flight
          Thread.sleep(100);
          completed.add(m.id());
        }).build();
    consumer.start();
    await("100 are in flight, 50 of them running", () -> consumer.inFlight() == 100 && started.size() == 50);

    long begin = System.nanoTime();
    closing.countDown();
    consumer.close();
    Duration took = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(took).isLessThan(shutdownTimeout);
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(consumer.inFlight()).isZero();
    assertThat(started).hasSize(50);
    assertThat(completed).as("handlers that started finish within the timeout").isEqualTo(started);
    Map<String, String> attributes = sqs.queueAttributes(url);
    assertThat(attributes.get("ApproximateNumberOfMessagesNotVisible")).as("nothing left invisible").isEqualTo("0");
    assertThat(attributes.get("ApproximateNumberOfMessages")).isEqualTo("50");
    List<String> left = new ArrayList<>();
    while (left.size() < 50) {
      var response = client.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).get();
      if (response.messages().isEmpty()) {
        break;
      }
      response.messages().forEach(m -> left.add(m.messageId()));
    }
    assertThat(left).as("the unstarted ones, none deleted unhandled").hasSize(50).doesNotContainAnyElementsOf(completed);
  }

  /**
   * An idle consumer holds one 20 s long poll; close must cancel it, not wait for it (the Go original
   * waited, and a consumer that closes slowly holds up every deployment).
   */
  @Test
  void close_emptyQueueLongPoll_returnsWithoutWaitingForIt() throws Exception {
    String url = newQueue("idle", Map.of());
    AtomicInteger receivesSent = new AtomicInteger();
    ExecutionInterceptor counting = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (context.request() instanceof ReceiveMessageRequest) {
          receivesSent.incrementAndGet();
        }
      }
    };
    try (SqsAsyncClient counted = SqsTestClients.client(sqs.endpoint(), List.of(counting))) {
      Consumer consumer = Consumer.builder().name("e2e").queue(url).runner("sqs").worker("semaphore")
          .harvester("batch").component(SqsAsyncClient.class, counted)
          .waitTime(Duration.ofSeconds(20)).handler(m -> {}).build();
      consumer.start();
      await("the long poll is sent", () -> receivesSent.get() > 0);

      long begin = System.nanoTime();
      consumer.close();
      Duration took = Duration.ofNanos(System.nanoTime() - begin);

      assertThat(took).as("the long poll was cancelled, not waited for").isLessThan(Duration.ofSeconds(5));
      assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    }
  }

  // ---- failures -------------------------------------------------------------------------------------

  @Test
  void start_missingQueue() {
    Consumer consumer = consumer(sqs, "no-such-queue-e2e").handler(m -> { }).build();
    assertThatThrownBy(consumer::start)
        .isInstanceOf(ConsumerException.class)
        .hasMessageContaining("queue 'no-such-queue-e2e' does not exist at " + sqs.endpoint());
    assertThat(consumer.state()).isEqualTo(Consumer.State.FAILED);
    consumer.close();
  }

  @Test
  void consume_serverGoneMidRunRecovers() throws Exception {
    try (ElasticMqServer own = new ElasticMqServer().start()) {
      // ElasticMQ may hand messages sent after the restart to a long poll whose connection was cut at the
      // stop; a short visibility timeout brings those back in 2 s instead of 30
      String url = own.createQueue("flaky-server", Map.of("VisibilityTimeout", "2"));
      for (int i = 0; i < 20; i++) {
        own.sendMessage(url, "before" + i);
      }
      Set<String> handled = ConcurrentHashMap.newKeySet();
      AtomicInteger pollErrors = new AtomicInteger();
      ConsumerListener listener = new ConsumerListener() {
        @Override
        public void onPollError(Throwable cause, Duration backoff) {
          pollErrors.incrementAndGet();
        }
      };
      try (Consumer consumer = consumer(own, url).concurrency(20).listener(listener)
          .handler(m -> handled.add(m.body())).build()) {
        consumer.start();
        await("the first 20 are handled", () -> handled.size() == 20);
        await("the first 20 are deleted", () -> own.approximateMessages(url) == 0);

        own.stop();
        Duration cpuBefore = cpu();
        long begin = System.nanoTime();
        await("polls fail", () -> pollErrors.get() > 0);
        Thread.sleep(3_000); // the server stays away for a while: the consumer must back off, not spin
        Duration wall = Duration.ofNanos(System.nanoTime() - begin);
        Duration cpuUsed = cpu().minus(cpuBefore);
        int errors = pollErrors.get();

        assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
        assertThat(errors).as("poll errors in %s: backoff, no hot loop", wall).isLessThan(100);
        assertThat(cpuUsed).as("CPU in %s while the server is away", wall).isLessThan(wall.dividedBy(2));

        own.start();
        for (int i = 0; i < 20; i++) {
          own.sendMessage(url, "after" + i);
        }
        await("the next 20 are handled", () -> handled.size() == 40);
        await("the next 20 are deleted", () -> own.approximateMessages(url) == 0);
      }
    }
  }

  private static Duration cpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }
}
