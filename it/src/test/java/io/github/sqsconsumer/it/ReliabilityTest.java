package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerListener;
import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.RetryPolicy;
import io.github.sqsconsumer.it.FaultProxy.Fault;
import io.github.sqsconsumer.it.FaultProxy.FaultPlan;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Reliability under faults: a consumer against ElasticMQ through a {@link FaultProxy} and a
 * {@link FaultInterceptor}, with failing and poison handlers, restarted several times, one of them a crash.
 * Nothing may be lost, nothing deleted before its handler succeeded.
 *
 * <h2>The run</h2>
 * <ul>
 *   <li>20,000 messages in a standard queue (visibility timeout 5 s) whose redrive policy moves a message to
 *       a dead-letter queue after 5 receives; 1 % are poison: their handler always throws.</li>
 *   <li>Of the others, 10 % throw a passing failure on the first delivery that reaches their handler
 *       (tracked by message id; see below), about 9 % of all healthy handler calls; the retry policy brings
 *       them back within a second.</li>
 *   <li>About 7.5 % of SQS calls are faulted: of every 200 requests, in random order, the proxy answers 9
 *       with 500, 503 or throttling, hangs one past the client's attempt timeout, and cuts the connection of
 *       two before and one after the server acted; the interceptor fails one call in 100 before it is
 *       sent. The consumer's client does not retry by itself, so every fault reaches the library.</li>
 *   <li>The consumer is closed gracefully and replaced by a new one (with a new client, as a new process
 *       would) three times, and once it crashes: its proxy is closed first, so from that moment none of its
 *       calls reach the queue (acknowledgements of work already done are lost, exactly as when a host dies),
 *       and it is closed with a shutdown timeout of zero, so running handlers are interrupted and nothing
 *       waits (handlers that start shortly before the crash wait for it, so that it certainly finds some
 *       running). What it held comes back after the visibility timeout.</li>
 * </ul>
 *
 * <h2>Why 5 receives and not 3</h2>
 * The issue asks for a maxReceiveCount of 3. SQS counts every receive, also those whose answer never reached
 * the consumer (a response cut after the server acted, a receive answered after the client's timeout, the
 * receives in flight when a host dies) and the prefetched messages a graceful stop releases. Measured with 3
 * (and passing failures on the first handled delivery only), three runs of the headline test on this
 * 2-core machine shared with other builds: 0, 0 and 8 of the 19,800 healthy messages ended in the
 * dead-letter queue without ever succeeding; each of the 8 had reached its handler once (the passing
 * failure) and the consumer's client had seen only 1 or 2 of its 3 deliveries, 5 of them sent within 70 messages
 * of each other. That is the redrive policy doing what it was configured to do, as it would on SQS, but it
 * makes the bar, "every non-poison message succeeded at least once", false now and then: luck,
 * not a check. With 5 a healthy message needs four deliveries lost besides its one passing failure, so the
 * bar holds literally. ({@code -Dit.reliability.maxReceiveCount=3} repeats the measurement; the checks then
 * fail when it happens, printing each such message with its handler calls and the deliveries seen.) The
 * issue's policy itself runs too ({@code consume_maxReceiveCountThree_nothingLost}, 2,000 messages), with the
 * bar that holds there: nothing lost, every message succeeded or dead-lettered.
 *
 * <h2>What is checked</h2>
 * The faults happened: 5-10 % of all SQS calls faulted, every kind of fault at least once, the listener saw
 * poll errors and acknowledgement failures, the crash interrupted running handlers. Then nothing was lost:
 * every healthy message succeeded at least once; every poison message is in the dead-letter queue and no
 * healthy one is; the main queue ends empty; every delete the consumer's client sent names a delivery
 * (receipt handle) whose handler had succeeded. The test prints its figures, the real handler-failure
 * share and the faulted share among them (to the test's output file).
 */
final class ReliabilityTest {
  private static final int MESSAGES = 20_000;
  private static final int POISON_EVERY = 100; // 1 %
  private static final double TRANSIENT_FAILURES = 0.10;
  private static final int MAX_RECEIVE_COUNT = Integer.getInteger("it.reliability.maxReceiveCount", 5);
  private static final Duration VISIBILITY = Duration.ofSeconds(5);
  // faults of the proxy, 13 of every 200 requests (6.5 %) dealt from a shuffled deck, plus 1 % from the
  // interceptor: exact shares, so that a short run (600 calls) meets every kind and stays within 5-10 %
  private static final int DECK = 200;
  private static final Map<Fault, Integer> PROXY_FAULTS = Map.of(
      Fault.INTERNAL_ERROR, 3,
      Fault.UNAVAILABLE, 3,
      Fault.THROTTLED, 3,
      Fault.HANG, 1,
      Fault.DROP_BEFORE, 2,
      Fault.DROP_AFTER, 1);
  private static final int INTERCEPTOR_EVERY = 100;
  private static final double SLOW_CALLS = 0.02;
  private static final Duration SLOW_CALL = Duration.ofMillis(250);

  private ElasticMqServer sqs;
  private SqsAsyncClient direct; // to ElasticMQ without faults: sending and checking

  @BeforeEach
  void startServer() {
    sqs = new ElasticMqServer().start();
    direct = client(sqs.endpoint().toString(), List.of(), true);
  }

  @AfterEach
  void stopServer() {
    if (direct != null) {
      direct.close();
    }
    if (sqs != null) {
      sqs.close();
    }
  }

  /** The headline run: pool + batch, 20,000 messages, faults, three restarts and a crash. */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void consume_faultsRestartsAndACrash() throws Exception {
    Report report = run(new Combination("pool", "batch"), MESSAGES, true);
    report.assertFaultsHappened();
    report.assertNothingLost();
  }

  /** A shorter run of each combination: 2,000 messages, the same faults, one restart and one crash. */
  @ParameterizedTest
  @MethodSource("combinations")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void consume_faultsEachCombination(Combination parts) throws Exception {
    Report report = run(parts, 2_000, false);
    report.assertFaultsHappened();
    report.assertNothingLost();
  }

  /**
   * The issue's own redrive policy, maxReceiveCount 3 (see "Why 5 receives and not 3"): 2,000 messages,
   * the same faults, a restart and a crash. Here a healthy message may end in the dead-letter queue when
   * its deliveries were spent on faults and restarts, as it would on SQS; what must hold is that nothing
   * is lost: every message ends succeeded or dead-lettered, every poison message dead-lettered, the main
   * queue empty, no delete before a successful handler run. The healthy ones dead-lettered are printed.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void consume_maxReceiveCountThree_nothingLost() throws Exception {
    Report report = run(new Combination("pool", "batch"), 2_000, false, 3);
    report.assertFaultsHappened();
    report.assertNothingLostToTheRedrivePolicy();
  }

  static Stream<Combination> combinations() {
    return Combination.all();
  }

  private Report run(Combination parts, int messages, boolean headline) throws Exception {
    return run(parts, messages, headline, MAX_RECEIVE_COUNT);
  }

  private Report run(Combination parts, int messages, boolean headline, int maxReceiveCount) throws Exception {
    String dlq = sqs.createQueue("reliability-dlq");
    String queue = sqs.createQueue("reliability", Map.of(
        "VisibilityTimeout", String.valueOf(VISIBILITY.toSeconds()),
        "RedrivePolicy", sqs.redrivePolicy(dlq, maxReceiveCount)));
    Report report = new Report(parts, messages, maxReceiveCount);
    long sendStart = System.nanoTime();
    report.sent.putAll(send(queue, messages));
    report.sendMillis = (System.nanoTime() - sendStart) / 1_000_000;

    FaultInterceptor faults = FaultInterceptor.every(INTERCEPTOR_EVERY);
    FaultPlan plan = FaultPlan.deck(PROXY_FAULTS, DECK); // one deck for all the run's proxies
    long start = System.nanoTime();
    // what happens at each share of healthy messages handled: "g" graceful restart, "c" crash
    List<String> steps = headline ? List.of("g", "g", "c", "g") : List.of("g", "c");
    Generation current = Generation.start(1, parts, sqs, queue, report, faults, plan, steps.get(0).equals("c"));
    for (int i = 0; i < steps.size(); i++) {
      int threshold = report.healthy() * (i + 1) / (steps.size() + 1);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
          .until(() -> report.succeededIds.size() >= threshold);
      boolean crash = steps.get(i).equals("c");
      CountDownLatch crashComing = new CountDownLatch(1);
      if (crash) { // hold handlers as they start until the crash, so that it certainly finds some running
        report.crashComing = crashComing;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() -> report.held.sum() > 0);
        report.crashed = true;
      }
      long t = System.nanoTime();
      try {
        current.stop(crash);
      } finally {
        report.crashComing = null;
        crashComing.countDown();
      }
      report.stops.add((crash ? "crash" : "graceful") + " at " + threshold + " in "
          + (System.nanoTime() - t) / 1_000_000 + " ms");
      boolean nextCrashes = i + 1 < steps.size() && steps.get(i + 1).equals("c");
      current = Generation.start(i + 2, parts, sqs, queue, report, faults, plan, nextCrashes);
    }
    Generation last = current;
    try {
      await().atMost(Duration.ofSeconds(headline ? 90 : 45)).pollInterval(Duration.ofMillis(250))
          .until(() -> report.healthySucceeded() == report.healthy() && sqs.approximateMessages(queue) == 0);
    } catch (ConditionTimeoutException e) {
      report.stops.add("gave up waiting: " + e.getMessage()); // the checks below say what is missing
    } finally {
      last.stop(false);
    }
    report.elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    report.mainLeft = sqs.approximateMessages(queue);
    report.deadLettered.addAll(drain(dlq));
    report.interceptorFaults = faults.failed();
    report.print();
    return report;
  }

  /** Sends the messages in batches of 10, a bounded number at a time; returns message id -> number. */
  private Map<String, Integer> send(String queue, int messages) throws Exception {
    Map<String, Integer> ids = new ConcurrentHashMap<>();
    Semaphore inFlight = new Semaphore(32);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int first = 0; first < messages; first += 10) {
      List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
      for (int n = first; n < Math.min(messages, first + 10); n++) {
        entries.add(SendMessageBatchRequestEntry.builder().id(String.valueOf(n)).messageBody(body(n)).build());
      }
      inFlight.acquire();
      calls.add(direct.sendMessageBatch(b -> b.queueUrl(queue).entries(entries))
          .whenComplete((r, e) -> inFlight.release())
          .thenAccept(r -> {
            assertThat(r.failed()).as("failed sends").isEmpty();
            r.successful().forEach(s -> ids.put(s.messageId(), Integer.parseInt(s.id())));
          }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    assertThat(ids).hasSize(messages);
    return ids;
  }

  /** Receives everything in a queue nobody else consumes; returns the message ids. */
  private Set<String> drain(String queue) throws Exception {
    int expected = sqs.approximateMessages(queue);
    Set<String> ids = new HashSet<>();
    while (ids.size() < expected) {
      var response = direct.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
          .visibilityTimeout(600)).get(30, TimeUnit.SECONDS);
      if (response.messages().isEmpty()) {
        break;
      }
      response.messages().forEach(m -> ids.add(m.messageId()));
    }
    return ids;
  }

  static String body(int n) {
    return "reliability-" + n;
  }

  static boolean poison(int n) {
    return n % POISON_EVERY == POISON_EVERY / 2;
  }

  /**
   * A client as the consumer gets it: to the given endpoint, no retries of its own (so faults reach the
   * library), a short attempt timeout (so a hung acknowledgement fails fast; the runner gives each long
   * poll its own longer one).
   */
  static SqsAsyncClient client(String endpoint, List<ExecutionInterceptor> interceptors, boolean retries) {
    return SqsAsyncClient.builder()
        .endpointOverride(java.net.URI.create(endpoint))
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(200)
            .connectionAcquisitionTimeout(Duration.ofSeconds(20)))
        .overrideConfiguration(o -> {
          interceptors.forEach(o::addExecutionInterceptor);
          if (!retries) {
            o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallAttemptTimeout(Duration.ofSeconds(2));
          }
        })
        .build();
  }

  /** One consumer "process": its own proxy, client and consumer. */
  private record Generation(FaultProxy proxy, SqsAsyncClient client, Consumer consumer, Report report) {

    static Generation start(int number, Combination parts, ElasticMqServer sqs, String queue, Report report,
        FaultInterceptor faults, FaultPlan plan, boolean willCrash) {
      FaultProxy proxy;
      try {
        proxy = new FaultProxy(sqs.port(), plan);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      SqsAsyncClient client = ReliabilityTest.client(proxy.endpoint().toString(), List.of(report.audit, faults), false);
      Consumer consumer = parts.onSqs(client, queue)
          .name("reliability-" + number)
          .concurrency(32)
          .waitTime(Duration.ofSeconds(1))
          .visibilityTimeout(VISIBILITY)
          .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)))
          .shutdownTimeout(willCrash ? Duration.ZERO : Duration.ofSeconds(10))
          .listener(report.listener)
          .handler(report::handle)
          .build();
      consumer.start();
      report.generations.incrementAndGet();
      return new Generation(proxy, client, consumer, report);
    }

    /** Stops gracefully, or crashes: the queue becomes unreachable first, then a close that waits for nothing. */
    void stop(boolean crash) {
      try {
        if (crash) {
          proxy.close();
        }
        consumer.close();
        assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
      } finally {
        client.close();
        proxy.close();
        proxy.counts().forEach((f, n) -> report.faultTotals.merge(f, n, Long::sum));
        proxy.actions().forEach((a, n) -> report.requests.merge(a, n, Long::sum));
      }
    }
  }

  /** A cheap exception: thousands are thrown. */
  private static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** Everything the run records, and the checks over it. */
  private static final class Report {
    final Combination parts;
    final int messages;
    final Map<String, Integer> sent = new ConcurrentHashMap<>(); // message id -> number
    final Map<String, AtomicInteger> succeededIds = new ConcurrentHashMap<>();
    final LongAdder successes = new LongAdder();
    final LongAdder calls = new LongAdder();
    final LongAdder transientFailures = new LongAdder();
    final LongAdder poisonFailures = new LongAdder();
    final LongAdder interrupted = new LongAdder();
    final LongAdder healthyCalls = new LongAdder();
    final LongAdder held = new LongAdder(); // handlers that waited for the crash
    final Set<String> firstHandled = ConcurrentHashMap.newKeySet(); // ids whose handler ran at least once
    final Map<String, AtomicInteger> handlerCalls = new ConcurrentHashMap<>(); // id -> handler calls
    volatile CountDownLatch crashComing; // set while the next stop is a crash: handlers wait for it
    final Map<String, Long> requests = new ConcurrentHashMap<>(); // SQS action -> requests that reached a proxy
    final Set<String> deadLettered = new HashSet<>();
    final List<String> stops = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger generations = new AtomicInteger();
    final DeliveryAudit audit = new DeliveryAudit();
    final CountingListener listener = new CountingListener();
    final Map<Fault, Long> faultTotals = new ConcurrentHashMap<>();
    Map<String, Long> interceptorFaults = Map.of();
    boolean crashed;
    long sendMillis;
    long elapsedMillis;
    int mainLeft;
    final int maxReceiveCount;

    Report(Combination parts, int messages, int maxReceiveCount) {
      this.parts = parts;
      this.messages = messages;
      this.maxReceiveCount = maxReceiveCount;
    }

    int healthy() {
      return messages - (int) sent.values().stream().filter(ReliabilityTest::poison).count();
    }

    /** The handler: poison always fails; others fail now and then on early deliveries; records successes. */
    void handle(Message message) throws Exception {
      calls.increment();
      Integer n = sent.get(message.id());
      if (n == null) {
        throw new AssertionError("a message that was never sent: " + message.id());
      }
      handlerCalls.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
      if (poison(n)) {
        poisonFailures.increment();
        throw new Failure("poison " + n);
      }
      healthyCalls.increment();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      // a passing failure only on the first delivery that reaches the handler: see "Why 5 receives"
      if (firstHandled.add(message.id()) && random.nextDouble() < TRANSIENT_FAILURES) {
        transientFailures.increment();
        throw new Failure("passing failure of " + n);
      }
      // up to 2 ms of "work"; 2 % of calls take 250 ms; before the crash handlers are held until it comes
      Duration work = random.nextDouble() < SLOW_CALLS ? SLOW_CALL : Duration.ofNanos(random.nextLong(2_000_000));
      try {
        CountDownLatch crash = crashComing;
        if (crash != null) {
          held.increment();
          crash.await(60, TimeUnit.SECONDS); // the crash interrupts it; the latch only frees a worker that did not
        }
        Thread.sleep(work);
      } catch (InterruptedException e) {
        interrupted.increment();
        throw e;
      }
      audit.succeeded(message.receiptHandle());
      succeededIds.computeIfAbsent(message.id(), id -> new AtomicInteger()).incrementAndGet();
      successes.increment();
    }

    int healthySucceeded() {
      return succeededIds.size();
    }

    /**
     * Nothing lost with a tight redrive policy: every healthy message succeeded or is in the dead-letter
     * queue (after its deliveries were spent), every poison message is there, the main queue is empty.
     */
    void assertNothingLostToTheRedrivePolicy() {
      Set<String> poisonIds = new HashSet<>();
      List<Integer> lost = new ArrayList<>();
      sent.forEach((id, n) -> {
        if (poison(n)) {
          poisonIds.add(id);
        } else if (!succeededIds.containsKey(id) && !deadLettered.contains(id)) {
          lost.add(n);
        }
      });
      assertThat(lost).as("healthy messages neither handled successfully nor dead-lettered (lost); deliveries "
          + "the client saw: %s", lostDetail(lost)).isEmpty();
      assertThat(audit.violations).as("deletes not preceded by a successful handler run of that delivery")
          .isEmpty();
      assertThat(deadLettered).as("every poison message is in the dead-letter queue").containsAll(poisonIds);
      assertThat(mainLeft).as("messages left in the main queue").isZero();
    }

    void assertNothingLost() {
      Set<String> poisonIds = new HashSet<>();
      List<Integer> lost = new ArrayList<>();
      sent.forEach((id, n) -> {
        if (poison(n)) {
          poisonIds.add(id);
        } else if (!succeededIds.containsKey(id)) {
          lost.add(n);
        }
      });
      assertThat(lost).as("healthy messages never handled successfully (lost); deliveries the client saw: %s, "
          + "in the DLQ: %s", lostDetail(lost), lost.stream().filter(n -> deadLettered.contains(idOf(n))).toList())
          .isEmpty();
      assertThat(audit.violations).as("deletes not preceded by a successful handler run of that delivery")
          .isEmpty();
      assertThat(deadLettered).as("the dead-letter queue holds exactly the poison messages")
          .containsExactlyInAnyOrderElementsOf(poisonIds);
      assertThat(mainLeft).as("messages left in the main queue").isZero();
    }

    /** Requests that reached a proxy plus those the interceptor failed before sending: every SQS call. */
    long sqsCalls() {
      return faultTotals.values().stream().mapToLong(Long::longValue).sum() + interceptorFaulted();
    }

    long faultedCalls() {
      return faultTotals.entrySet().stream().filter(e -> e.getKey() != Fault.NONE).mapToLong(Map.Entry::getValue)
          .sum() + interceptorFaulted();
    }

    long interceptorFaulted() {
      return interceptorFaults.values().stream().mapToLong(Long::longValue).sum();
    }

    long listened(String event) {
      LongAdder n = listener.counts.get(event);
      return n == null ? 0 : n.sum();
    }

    /** The run was the one the plan describes: faults of every kind, and the consumer felt them. */
    void assertFaultsHappened() {
      double share = (double) faultedCalls() / sqsCalls();
      assertThat(share).as("faulted share of %d SQS calls (%d faulted)", sqsCalls(), faultedCalls())
          .isBetween(0.05, 0.10);
      for (Fault kind : Fault.values()) {
        if (kind != Fault.NONE) {
          assertThat(faultTotals.getOrDefault(kind, 0L)).as("requests that met %s", kind).isPositive();
        }
      }
      assertThat(interceptorFaulted()).as("calls the interceptor failed").isPositive();
      assertThat(listened("pollError")).as("poll errors the listener saw").isPositive();
      assertThat(listened("acknowledgementFailed")).as("acknowledgement failures the listener saw").isPositive();
      if (crashed) {
        assertThat(interrupted.sum()).as("handlers the crash interrupted").isPositive();
      }
    }

    /** Healthy messages in the dead-letter queue: number -> "succeeded s, handler calls h, deliveries seen d". */
    Map<Integer, String> healthyDeadLettered() {
      Map<Integer, String> detail = new java.util.TreeMap<>();
      sent.forEach((id, n) -> {
        if (!poison(n) && deadLettered.contains(id)) {
          AtomicInteger s = succeededIds.get(id);
          AtomicInteger h = handlerCalls.get(id);
          detail.put(n, "succeeded " + (s == null ? 0 : s.get()) + ", handler calls " + (h == null ? 0 : h.get())
              + ", deliveries seen " + audit.receipts.values().stream().filter(id::equals).count());
        }
      });
      return detail;
    }

    private String idOf(int n) {
      return sent.entrySet().stream().filter(e -> e.getValue() == n).findFirst().orElseThrow().getKey();
    }

    private Map<Integer, Long> lostDetail(List<Integer> lost) {
      Map<Integer, Long> detail = new java.util.TreeMap<>();
      lost.stream().limit(20).forEach(n -> {
        String id = idOf(n);
        detail.put(n, audit.receipts.values().stream().filter(id::equals).count());
      });
      return detail;
    }

    void print() {
      int distinct = succeededIds.size();
      long total = successes.sum();
      long duplicates = total - distinct;
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("%n== reliability: %s + %s, %d messages (%d poison) ==%n", parts.worker(),
          parts.harvester(), messages, messages - healthy()));
      sb.append(String.format("sent in %d ms; consumed in %d ms by %d consumers; stops: %s%n", sendMillis,
          elapsedMillis, generations.get(), stops));
      sb.append(String.format("handler calls %d: successes %d (distinct %d, lost %d), passing failures %d, "
              + "poison failures %d, interrupted %d%n", calls.sum(), total, distinct, healthy() - distinct,
          transientFailures.sum(), poisonFailures.sum(), interrupted.sum()));
      sb.append(String.format("handler failure share: %.2f %% of healthy handler calls (%d of %d), "
              + "%.2f %% of healthy messages; transient failures limited to each message's first handled delivery%n",
          100.0 * transientFailures.sum() / Math.max(1, healthyCalls.sum()), transientFailures.sum(),
          healthyCalls.sum(), 100.0 * transientFailures.sum() / Math.max(1, healthy())));
      sb.append(String.format("duplicates %d = %.3f %% of healthy messages handled twice or more%n", duplicates,
          100.0 * duplicates / Math.max(1, distinct)));
      sb.append(String.format("dead-lettered %d (maxReceiveCount %d); healthy among them %s; left in queue %d%n",
          deadLettered.size(), maxReceiveCount, healthyDeadLettered(), mainLeft));
      sb.append(String.format("client saw: %d messages received, %d delete entries sent, %d deleted; "
              + "violations %d%n", audit.received.sum(), audit.deleteEntries.sum(), audit.deleted.sum(),
          audit.violations.size()));
      sb.append(String.format("SQS calls %d, faulted %d = %.2f %%; proxy faults: %s; interceptor faults: %s%n",
          sqsCalls(), faultedCalls(), 100.0 * faultedCalls() / Math.max(1, sqsCalls()),
          new java.util.TreeMap<>(faultTotals), interceptorFaults));
      sb.append(String.format("requests by action (reaching a proxy): %s; handlers held for the crash %d%n",
          new java.util.TreeMap<>(requests), held.sum()));
      sb.append(String.format("listener: %s%n", listener));
      System.out.print(sb);
    }
  }

  /**
   * Watches the consumer's client: maps each received receipt handle to its message, and checks that
   * every delete names a delivery whose handler had succeeded before the delete was sent.
   */
  private static final class DeliveryAudit implements ExecutionInterceptor {
    final Map<String, String> receipts = new ConcurrentHashMap<>(); // receipt handle -> message id
    final Set<String> succeeded = ConcurrentHashMap.newKeySet(); // receipt handles
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final LongAdder received = new LongAdder();
    final LongAdder deleteEntries = new LongAdder();
    final LongAdder deleted = new LongAdder();

    void succeeded(String receiptHandle) {
      succeeded.add(receiptHandle);
    }

    @Override
    public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
      SdkResponse response = context.response();
      if (response instanceof ReceiveMessageResponse r) {
        r.messages().forEach(m -> receipts.put(m.receiptHandle(), m.messageId()));
        received.add(r.messages().size());
      } else if (response instanceof DeleteMessageBatchResponse r) {
        deleted.add(r.successful().size());
      } else if (response instanceof DeleteMessageResponse) {
        deleted.increment();
      }
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
      if (context.request() instanceof DeleteMessageBatchRequest r) {
        for (DeleteMessageBatchRequestEntry e : r.entries()) {
          check(e.receiptHandle());
        }
      } else if (context.request() instanceof DeleteMessageRequest r) {
        check(r.receiptHandle());
      }
    }

    private void check(String receiptHandle) {
      deleteEntries.increment();
      String id = receipts.get(receiptHandle);
      if (id == null) {
        violations.add("delete of a receipt handle never received");
      } else if (!succeeded.contains(receiptHandle)) {
        violations.add("delete of message " + id + " before its handler succeeded on that delivery");
      }
    }
  }

  /** Counts the consumer's events. */
  private static final class CountingListener implements ConsumerListener {
    final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private void count(String event) {
      counts.computeIfAbsent(event, e -> new LongAdder()).increment();
    }

    @Override
    public void onPollError(Throwable cause, Duration backoff) {
      count("pollError");
    }

    @Override
    public void onAcknowledgementFailed(Message message, Throwable cause) {
      count("acknowledgementFailed");
    }

    @Override
    public void onAcknowledged(Message message) {
      count("acknowledged");
    }

    @Override
    public void onReleased(Message message, Duration visibility) {
      count("released");
    }

    @Override
    public void onVisibilityExtended(Message message, Duration visibility) {
      count("extended");
    }

    @Override
    public String toString() {
      Map<String, Long> snapshot = new java.util.TreeMap<>();
      counts.forEach((k, v) -> snapshot.put(k, v.sum()));
      return snapshot.toString();
    }
  }
}
