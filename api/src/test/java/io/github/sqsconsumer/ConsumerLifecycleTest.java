package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.time.Duration;
import io.github.sqsconsumer.spi.QueueException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class ConsumerLifecycleTest {
  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final TestParts.ThreadWorker[] worker = new TestParts.ThreadWorker[1];
  private Consumer consumer;

  private Consumer create(Consumer.Builder builder) {
    consumer = DefaultConsumer.create(builder.validate(), TestParts.runner(runner), TestParts.worker(worker),
        TestParts.harvester());
    return consumer;
  }

  private Consumer create(MessageHandler handler) {
    return create(Consumer.builder().queue("orders").handler(handler).concurrency(4).waitTime(Duration.ofSeconds(1)));
  }

  @AfterEach
  void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(10, TimeUnit.SECONDS)).as("latch released in time").isTrue();
  }

  // Regression: build() kept the builder itself and start() read the handler, concurrency, retry policy and
  // the rest from it, so a builder reused as a template (build A, change it, build B) made A run B's
  // handler on A's queue and delete what it accepted, and values set after build() were never checked.
  @Test
  void build_builderReusedAsTemplate_eachConsumerKeepsItsOwnSettings() throws Exception {
    for (int i = 0; i < 20; i++) {
      runner.queue.add(TestParts.message(i));
    }
    Set<String> handledByA = ConcurrentHashMap.newKeySet();
    Set<String> handledByB = ConcurrentHashMap.newKeySet();
    CountDownLatch attempts = new CountDownLatch(20);
    Consumer.Builder template = Consumer.builder().queue("orders").concurrency(2).waitTime(Duration.ofSeconds(1))
        .retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(7)))
        .handler(m -> {
          handledByA.add(m.id());
          attempts.countDown();
          if (m.id().equals("m0")) {
            throw new IllegalStateException("fails once");
          }
        });
    create(template);
    TestParts.ListRunner otherQueue = new TestParts.ListRunner();
    Consumer b = DefaultConsumer.create(template.queue("invoices").concurrency(7)
            .retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(3))).handler(m -> handledByB.add(m.id())).validate(),
        TestParts.runner(otherQueue), TestParts.worker(new TestParts.ThreadWorker(7)), TestParts.harvester());
    // invalid values set after both builds reach neither consumer
    template.concurrency(0).waitTime(Duration.ofMinutes(5)).prefetch(-1).setting("", "x");

    consumer.start();
    await(attempts);
    consumer.close();
    b.close();

    assertThat(handledByA).hasSize(20);
    assertThat(handledByB).isEmpty();
    assertThat(runner.deleted).hasSize(19).doesNotContain("m0");
    assertThat(runner.released).containsExactly(java.util.Map.entry("m0", Duration.ofSeconds(7)));
    assertThat(worker[0].maxActive.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void start_handlesAndDeletesEveryMessage() throws Exception {
    CountDownLatch handled = new CountDownLatch(100);
    for (int i = 0; i < 100; i++) {
      runner.queue.add(TestParts.message(i));
    }
    create(m -> handled.countDown()).start();
    await(handled);
    consumer.close();
    assertThat(runner.deleted).hasSize(100);
    assertThat(worker[0].maxActive.get()).isLessThanOrEqualTo(4);
    assertThat(consumer.inFlight()).isZero();
  }

  /**
   * Regression: an empty answer to a long poll that came at once (a server that does not long-poll) was
   * asked again at once: a hot loop of receives. An empty answer well before the wait time backs off.
   */
  @Test
  void receive_emptyAnswerToALongPollAtOnce_backsOff() throws Exception {
    runner.emptyAtOnce = true;
    create(Consumer.builder().queue("orders").handler(m -> {}).concurrency(4).waitTime(Duration.ofSeconds(20)))
        .start();
    Thread.sleep(2_000); // the span over which receives are counted
    // backoff from 100 ms, doubling to 2 s: about 5 receives in 2 s; a hot loop makes thousands
    assertThat(runner.receives.get()).isLessThan(20);
  }

  /**
   * Regression: an Error out of a receive ended poller 0 (the others park until it asks for them), while
   * the consumer stayed RUNNING: it went quiet for good. Pollers are supervised: polling goes on.
   */
  @Test
  void receive_runnerThrowsAnError_pollingGoesOn() throws Exception {
    runner.receiveErrors.set(3);
    CountDownLatch handled = new CountDownLatch(20);
    create(m -> handled.countDown()).start();
    for (int i = 0; i < 20; i++) {
      runner.queue.add(TestParts.message(i));
    }
    await(handled);
    assertThat(runner.receiveErrors.get()).isNegative();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  /**
   * Regression: pollers were started while the list of pollers was still being filled, so the first
   * full receives could not raise the number of active polls (the list looked one long) and, with the
   * first poller blocked handing units to a full worker, nobody polled for the prefetch. Receives answer
   * after a round trip: answered at once, in process, there is nothing to prefetch for (see Polling).
   */
  @RepeatedTest(10)
  void start_blockedHandlers_prefetchFillsUp() throws Exception {
    CountDownLatch proceed = new CountDownLatch(1);
    for (int i = 0; i < 300; i++) {
      runner.queue.add(TestParts.message(i));
    }
    runner.roundTrip = Duration.ofMillis(2);
    create(Consumer.builder().queue("orders").concurrency(50).prefetch(50).waitTime(Duration.ofSeconds(1))
        .handler(m -> proceed.await())).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (consumer.inFlight() < 100 || worker[0].active.get() < 50) {
        assertThat(System.nanoTime()).as("%d in flight, 100 expected", consumer.inFlight()).isLessThan(deadline);
        Thread.sleep(1);
      }
      assertThat(worker[0].active.get()).isEqualTo(50);
      assertThat(consumer.inFlight()).isEqualTo(100); // [received and unfinished <= concurrency + prefetch]
    } finally {
      proceed.countDown();
    }
  }

  // Regression: a receive whose future completed with null threw on the way to giving back the permits it
  // did not fill: with concurrency 10 and no prefetch every permit was gone, nothing was received again, and
  // the consumer stayed RUNNING and healthy. A runner's broken answers are now mended or failed like a
  // receive, and the permits add up whatever came.
  @Test
  void receive_runnerAnswersNull_permitsComeBackAndPollingGoesOn() throws Exception {
    CountDownLatch handled = new CountDownLatch(20);
    runner.brokenAnswers.set(1);
    for (int i = 0; i < 20; i++) {
      runner.queue.add(TestParts.message(i));
    }
    create(Consumer.builder().queue("orders").handler(m -> handled.countDown()).concurrency(10).prefetch(0)
        .waitTime(Duration.ofSeconds(1))).start();

    await(handled);
    TestParts.awaitUntil(() -> runner.deleted.size() == 20);
  }

  @Test
  void receive_runnerAnswersMoreThanAsked_allHandled_theBoundHoldsAfterwards() throws Exception {
    receive_brokenAnswer_allHandled_theBoundHoldsAfterwards(TestParts.Breach.MORE_THAN_ASKED, 13);
  }

  @Test
  void receive_runnerAnswersANullMessage_theOthersHandled_theBoundHoldsAfterwards() throws Exception {
    receive_brokenAnswer_allHandled_theBoundHoldsAfterwards(TestParts.Breach.NULL_AMONG_THEM, 10);
  }

  private void receive_brokenAnswer_allHandled_theBoundHoldsAfterwards(TestParts.Breach breach, int first)
      throws Exception {
    runner.breach = breach;
    runner.brokenAnswers.set(1);
    for (int i = 0; i < first; i++) {
      runner.queue.add(TestParts.message(i));
    }
    CountDownLatch firstHandled = new CountDownLatch(first);
    CountDownLatch proceed = new CountDownLatch(1);
    AtomicInteger mostInFlight = new AtomicInteger();
    create(Consumer.builder().queue("orders").concurrency(10).prefetch(0).waitTime(Duration.ofSeconds(1))
        .handler(m -> {
          mostInFlight.accumulateAndGet(consumer.inFlight(), Math::max);
          if (firstHandled.getCount() > 0) {
            firstHandled.countDown();
          } else {
            proceed.await();
          }
        })).start();
    await(firstHandled);
    TestParts.awaitUntil(() -> runner.deleted.size() == first);

    // handlers that hold their messages: no more than concurrency + prefetch are received, as before
    mostInFlight.set(0);
    for (int i = first; i < first + 30; i++) {
      runner.queue.add(TestParts.message(i));
    }
    TestParts.awaitUntil(() -> consumer.inFlight() == 10);
    Thread.sleep(200); // room for a receive beyond the bound, had the permits not added up
    assertThat(consumer.inFlight()).isEqualTo(10);
    proceed.countDown();
    TestParts.awaitUntil(() -> runner.deleted.size() == first + 30);
    assertThat(mostInFlight.get()).isLessThanOrEqualTo(10);
  }

  @Test
  void start_twice() {
    create(m -> {}).start();
    consumer.start();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  @Test
  void close_beforeStart() {
    create(m -> {}).close();
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    // parts are created by start(), so a consumer closed before it holds nothing to close
    assertThat(runner.created).isFalse();
    assertThatThrownBy(consumer::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("a consumer can start only once, but it is TERMINATED");
  }

  @Test
  void close_twice() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    runner.queue.add(TestParts.message(1));
    create(m -> {
      running.countDown();
      proceed.await();
    }).start();
    await(running);
    Thread first = Thread.ofPlatform().start(consumer::close);
    Thread second = Thread.ofPlatform().start(consumer::close);
    // both wait for the handler: neither returns early
    assertThat(first.join(Duration.ofMillis(200))).isFalse();
    assertThat(second.isAlive()).isTrue();
    proceed.countDown();
    assertThat(first.join(Duration.ofSeconds(10))).isTrue();
    assertThat(second.join(Duration.ofSeconds(10))).isTrue();
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    consumer.close(); // and a third, after the fact, returns at once
    assertThat(runner.deleted).containsExactly("m1");
  }

  // Regression: a runner whose close() threw skipped the end of the stop: the consumer stayed STOPPING for
  // good, and every later close() waited on it with no deadline (a framework that closes twice hung).
  @Test
  void close_runnerCloseThrows_consumerStillTerminates_laterClosesReturn() throws Exception {
    runner.queue.add(TestParts.message(1));
    runner.closeFailure = new IllegalStateException("client close failed (test)");
    CountDownLatch handled = new CountDownLatch(1);
    Consumer started = create(m -> handled.countDown());
    started.start();
    await(handled);
    consumer = null; // closed here, on threads of their own: before the fix a second close() never returned

    Thread first = Thread.ofVirtual().start(started::close);
    assertThat(first.join(Duration.ofSeconds(10))).as("close() returned").isTrue();
    Thread second = Thread.ofVirtual().start(started::close);

    assertThat(second.join(Duration.ofSeconds(5))).as("a second close() returned").isTrue();
    assertThat(runner.closed).isTrue();
    assertThat(started.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(started.health().state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(runner.deleted).containsExactly("m1");
  }

  // Regression: close() from a handler waited for the stop, which waits for that handler: the whole
  // shutdown timeout, then the handler was interrupted and its message left to its visibility timeout.
  @Test
  void close_fromItsOwnHandler_returnsAtOnce_theStopFinishesAfterTheHandler() throws Exception {
    runner.queue.add(TestParts.message(1));
    AtomicReference<Consumer.State> stateAfterClose = new AtomicReference<>();
    AtomicBoolean interrupted = new AtomicBoolean();
    CountDownLatch handlerDone = new CountDownLatch(1);
    create(Consumer.builder().queue("orders").concurrency(4).waitTime(Duration.ofSeconds(1))
        .shutdownTimeout(Duration.ofSeconds(20))
        .handler(m -> {
          consumer.close();
          stateAfterClose.set(consumer.state()); // the stop waits for this handler: not over yet
          consumer.close(); // a second call from here does not wait either
          interrupted.set(Thread.currentThread().isInterrupted());
          handlerDone.countDown();
        })).start();
    await(handlerDone);
    assertThat(stateAfterClose.get()).isEqualTo(Consumer.State.STOPPING);
    awaitCondition("terminated", () -> consumer.state() == Consumer.State.TERMINATED);
    assertThat(interrupted.get()).as("handler interrupted").isFalse();
    assertThat(runner.deleted).containsExactly("m1");
    assertThat(consumer.inFlight()).isZero();
  }

  @Test
  void close_fromAListenerOnAPoller_doesNotWaitForItsOwnThread() throws Exception {
    runner.queue.add(TestParts.message(1));
    CountDownLatch closed = new CountDownLatch(1);
    create(Consumer.builder().queue("orders").concurrency(4).waitTime(Duration.ofSeconds(1))
        .shutdownTimeout(Duration.ofSeconds(20))
        .listener(new ConsumerListener() {
          @Override
          public void onReceived(Message message) {
            consumer.close(); // on the poller that received it; the stop waits for the pollers
            closed.countDown();
          }
        })
        .handler(m -> {})).start();
    await(closed);
    // the stop waits for the pollers until the shutdown timeout (20 s) ran out, had this poller waited in it
    awaitCondition("terminated", () -> consumer.state() == Consumer.State.TERMINATED);
    assertThat(runner.deleted.size() + runner.released.size()).as("the message settled").isEqualTo(1);
    assertThat(consumer.inFlight()).isZero();
  }

  @Test
  void close_whileHandlersRun() throws Exception {
    CountDownLatch running = new CountDownLatch(4);
    CountDownLatch proceed = new CountDownLatch(1);
    for (int i = 0; i < 20; i++) {
      runner.queue.add(TestParts.message(i));
    }
    create(m -> {
      running.countDown();
      proceed.await();
    }).start();
    await(running);
    assertThat(consumer.inFlight()).isGreaterThanOrEqualTo(4);
    Thread closer = Thread.ofPlatform().start(consumer::close);
    // polling has stopped once the worker is being shut down: nothing new can start after that
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!worker[0].shutdown) {
      assertThat(System.nanoTime()).as("worker shut down in time").isLessThan(deadline);
      Thread.sleep(1);
    }
    assertThat(consumer.state()).isEqualTo(Consumer.State.STOPPING);
    proceed.countDown();
    assertThat(closer.join(Duration.ofSeconds(10))).isTrue();
    // the four running finished and were deleted; the rest never started and were released at once
    assertThat(runner.deleted).hasSize(4);
    assertThat(runner.released.values()).allMatch(Duration.ZERO::equals);
    assertThat(runner.deleted.size() + runner.released.size() + runner.queue.size()).isEqualTo(20);
    assertThat(consumer.inFlight()).isZero();
  }

  @Test
  void close_shutdownTimeoutInterruptsStragglers() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    runner.queue.add(TestParts.message(1));
    create(Consumer.builder().queue("orders").concurrency(1).shutdownTimeout(Duration.ofMillis(100))
        .retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(5)))
        .handler(m -> {
          running.countDown();
          Thread.sleep(60_000);
        })).start();
    await(running);
    long start = System.nanoTime();
    consumer.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(runner.deleted).isEmpty();
  }

  /**
   * Regression: close() from a thread whose interrupt flag was set stopped half-way. The first join of a
   * poller threw at once, so the worker was never shut down (its unstarted units never released), the
   * harvester never flushed (acknowledgements lost: the messages came back) and the non-daemon heartbeat
   * thread kept running; the consumer still claimed TERMINATED.
   */
  @Test
  void close_fromInterruptedThread_stillFlushesAndStopsThreads() throws Exception {
    TestParts.ParkingWorker parking = new TestParts.ParkingWorker(2, 2);
    CountDownLatch handled = new CountDownLatch(2);
    for (int i = 0; i < 10; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(2)
            .waitTime(Duration.ofSeconds(1)).handler(m -> handled.countDown()).validate(),
        TestParts.runner(runner), TestParts.worker(parking), TestParts.harvester(true));
    consumer.start();
    await(handled);
    awaitCondition("two units parked", () -> parking.parked() == 2);

    Thread.currentThread().interrupt();
    try {
      consumer.close();
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    }
    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(runner.deleted).as("acknowledgements flushed").hasSize(2);
    assertThat(runner.released).as("the parked units released at once").hasSizeGreaterThanOrEqualTo(2);
    assertThat(runner.released.values()).allMatch(Duration.ZERO::equals);
    assertThat(runner.deleted.size() + runner.released.size() + runner.queue.size()).isEqualTo(10);
    assertThat(consumer.inFlight()).isZero();
    assertThat(parking.threads).isEmpty();
    assertThat(consumerThreads()).as("no platform thread of the consumer left").isEmpty();
  }

  /** Regression: like the above, with the interrupt arriving while close waits for a running handler. */
  @Test
  void close_interruptedDuringClose_stillFlushesAndReleases() throws Exception {
    TestParts.ParkingWorker parking = new TestParts.ParkingWorker(1, 1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    for (int i = 0; i < 3; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(1)
            .waitTime(Duration.ofSeconds(1)).handler(m -> {
              running.countDown();
              proceed.await();
            }).validate(),
        TestParts.runner(runner), TestParts.worker(parking), TestParts.harvester(true));
    consumer.start();
    await(running);
    awaitCondition("one unit parked", () -> parking.parked() == 1);

    AtomicInteger keptInterrupt = new AtomicInteger(-1);
    Thread closer = Thread.ofPlatform().start(() -> {
      consumer.close();
      keptInterrupt.set(Thread.currentThread().isInterrupted() ? 1 : 0);
    });
    awaitCondition("the worker is shutting down", () -> parking.shutdown);
    closer.interrupt(); // close now waits for the running handler
    proceed.countDown();
    assertThat(closer.join(Duration.ofSeconds(20))).isTrue();
    assertThat(keptInterrupt.get()).as("the interrupt is kept").isEqualTo(1);
    assertThat(runner.deleted).as("the running handler's acknowledgement flushed").hasSize(1);
    assertThat(runner.released).as("the parked unit released").hasSizeGreaterThanOrEqualTo(1);
    assertThat(runner.deleted.size() + runner.released.size() + runner.queue.size()).isEqualTo(3);
    assertThat(consumer.inFlight()).isZero();
    assertThat(consumerThreads()).isEmpty();
  }

  private static void awaitCondition(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("in time: %s", what).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  /** The live platform threads named after the consumer (its heartbeat is one, and not a daemon). */
  private static java.util.List<String> consumerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("sqs-consumer-"))
        .toList();
  }

  /**
   * Regression: close could run far past the shutdown timeout. The harvester got a fixed 10 s on top,
   * and every poller, the dispatcher and the heartbeat a 5 s join of their own, one after the other. Now
   * one deadline, set when close begins, bounds them all: the shutdown timeout plus the flush allowance.
   */
  @Test
  void close_slowHarvesterAndStubbornHandler_returnsWithinTheDocumentedBound() throws Exception {
    Duration shutdownTimeout = Duration.ofSeconds(1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicReference<Duration> flushGiven = new AtomicReference<>();
    HarvesterProvider slow = new HarvesterProvider() {
      @Override
      public String name() {
        return "slow";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        TestParts.DirectHarvester direct = new TestParts.DirectHarvester(context);
        return new Harvester() {
          @Override
          public void acknowledge(Message message) {
            direct.acknowledge(message);
          }

          @Override
          public void release(Message message, Duration visibility) {
            direct.release(message, visibility);
          }

          @Override
          public void close(Duration timeout) throws InterruptedException {
            flushGiven.set(timeout);
            direct.close(timeout);
            new CountDownLatch(1).await(timeout.toNanos(), TimeUnit.NANOSECONDS); // answers that never come
          }
        };
      }
    };
    runner.queue.add(TestParts.message(1));
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(1)
            .shutdownTimeout(shutdownTimeout).waitTime(Duration.ofSeconds(1))
            .handler(m -> {
              running.countDown();
              while (true) {
                try {
                  letGo.await(); // outlives the shutdown timeout: ignores the interrupt
                  return;
                } catch (InterruptedException e) {
                  // keep going
                }
              }
            }).validate(),
        TestParts.runner(runner), TestParts.worker(worker), slow);
    consumer.start();
    try {
      await(running);
      long start = System.nanoTime();
      consumer.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      Duration bound = shutdownTimeout.plus(Engine.FLUSH_ALLOWANCE);
      assertThat(flushGiven.get()).as("the flush gets what is left, not a fixed extra").isLessThanOrEqualTo(
          Engine.FLUSH_ALLOWANCE);
      assertThat(took).as("close within %s (+3 s margin)", bound).isLessThan(bound.plusSeconds(3));
      assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    } finally {
      letGo.countDown();
    }
  }

  /**
   * Regression: Engine.submit caught only RuntimeException, so an Error out of the worker's submit (the
   * semaphore worker rethrows an OutOfMemoryError from starting a thread) left the poller with the rest of
   * that receive unreleased: invisible until its visibility timeout, and counted in flight until then.
   */
  @Test
  void submit_workerThrowsError_releasesTheRestOfTheReceive() throws Exception {
    TestParts.ThrowingWorker broken = new TestParts.ThrowingWorker();
    for (int i = 0; i < 5; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(4)
            .waitTime(Duration.ofSeconds(1)).handler(m -> {}).validate(),
        TestParts.runner(runner), TestParts.worker(broken), TestParts.harvester());
    consumer.start();
    awaitCondition("the whole receive released", () -> runner.released.size() == 5);
    assertThat(runner.released.values()).allMatch(Duration.ZERO::equals);
    assertThat(broken.submits.get()).as("the first submit failed; the rest were not tried").isEqualTo(1);
    assertThat(consumer.inFlight()).isZero();
    assertThat(runner.deleted).isEmpty();
  }

  /**
   * Regression: Engine.releaseUnstarted caught only RuntimeException from the harvester's release, so an
   * Error for one message (a harvester is a part, and may throw anything) ended the hand-back of the rest
   * of the receive: those messages stayed registered, kept hidden by the heartbeat with no handler, and
   * their flow permits were not returned. Here the worker refuses the whole receive and the harvester's
   * first release throws an Error: the other four still go back at once.
   */
  @Test
  void releaseUnstarted_harvesterThrowsAnError_restOfTheReceiveStillReleased() throws Exception {
    TestParts.ThrowingWorker broken = new TestParts.ThrowingWorker();
    AtomicBoolean failNext = new AtomicBoolean(true);
    HarvesterProvider failingOnce = new HarvesterProvider() {
      @Override
      public String name() {
        return "failing-once";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        TestParts.DirectHarvester direct = new TestParts.DirectHarvester(context);
        return new Harvester() {
          @Override
          public void acknowledge(io.github.sqsconsumer.Message message) {
            direct.acknowledge(message);
          }

          @Override
          public void release(io.github.sqsconsumer.Message message, Duration visibility) {
            if (failNext.compareAndSet(true, false)) {
              throw new AssertionError("harvester bug (test)");
            }
            direct.release(message, visibility);
          }

          @Override
          public void close(Duration timeout) throws InterruptedException {
            direct.close(timeout);
          }
        };
      }
    };
    for (int i = 0; i < 5; i++) {
      runner.queue.add(TestParts.message(i));
    }
    consumer = DefaultConsumer.create(Consumer.builder().queue("orders").concurrency(4)
            .waitTime(Duration.ofSeconds(1)).handler(m -> {}).validate(),
        TestParts.runner(runner), TestParts.worker(broken), failingOnce);
    consumer.start();
    awaitCondition("the rest of the receive released", () -> runner.released.size() == 4);
    assertThat(runner.released.values()).allMatch(Duration.ZERO::equals);
    awaitCondition("nothing left in flight", () -> consumer.inFlight() == 0);
    assertThat(runner.deleted).isEmpty();
  }

  @Test
  void start_missingQueue() {
    runner.missing = true;
    create(m -> {});
    assertThatThrownBy(consumer::start)
        .isInstanceOf(ConsumerException.class)
        .hasMessage("cannot consume queue 'orders': queue 'orders' does not exist");
    assertThat(consumer.state()).isEqualTo(Consumer.State.FAILED);
    assertThat(runner.closed).isTrue();
    consumer.close();
    assertThat(consumer.state()).isEqualTo(Consumer.State.FAILED);
  }

  /**
   * Regression: start() reported its start, asking the parts' providers for their names, after the engine
   * had started; a failure there (a provider is user code and may throw anything) marked the consumer
   * FAILED and closed the parts but left the engine's heartbeat (not a daemon) and pollers running. Here a
   * worker provider whose name() works at build but throws at start.
   */
  @Test
  void start_failsAfterTheEngineCouldStart_noConsumerThreadLeft() throws Exception {
    AtomicBoolean failName = new AtomicBoolean();
    WorkerProvider provider = new WorkerProvider() {
      @Override
      public String name() {
        if (failName.get()) {
          throw new AssertionError("name() fails at start");
        }
        return "failing-name";
      }

      @Override
      public Worker create(WorkerContext context) {
        worker[0] = new TestParts.ThreadWorker(context.concurrency());
        return worker[0];
      }
    };
    consumer = DefaultConsumer.create(Consumer.builder().name("sqs-consumer-leak").queue("orders").handler(m -> {})
        .waitTime(Duration.ofSeconds(1)).validate(), TestParts.runner(runner), provider, TestParts.harvester());
    failName.set(true);

    assertThatThrownBy(consumer::start).isInstanceOf(AssertionError.class);

    assertThat(consumer.state()).isEqualTo(Consumer.State.FAILED);
    assertThat(runner.closed).isTrue();
    // the heartbeat is the engine's platform thread; before the fix it kept running for good
    awaitCondition("no thread of the failed consumer left",
        () -> consumerThreads().stream().noneMatch(n -> n.startsWith("sqs-consumer-leak-")));
  }

  /**
   * Regression: the clean-up after a failed start closed the harvester after the worker's shutdown in one
   * try that caught only RuntimeException, and counted the terminated latch down after it: a worker whose
   * shutdown threw an Error skipped the harvester's close (its threads leaked), replaced the start's own
   * failure, and left the latch up, so every later close() of the FAILED consumer waited for good (and
   * uninterruptibly). Each part is now closed on its own, the latch in a finally, and the start's failure
   * is what the caller sees.
   */
  @Test
  void start_failsAndTheWorkerShutdownThrows_harvesterStillClosed() throws Exception {
    runner.missing = true;
    io.github.sqsconsumer.spi.Worker throwing = new io.github.sqsconsumer.spi.Worker() {
      @Override
      public boolean submit(io.github.sqsconsumer.spi.WorkUnit unit, Duration timeout) {
        return false;
      }

      @Override
      public java.util.List<io.github.sqsconsumer.spi.WorkUnit> shutdown(Duration timeout) {
        throw new AssertionError("worker bug (test)");
      }

      @Override
      public int active() {
        return 0;
      }

      @Override
      public int waiting() {
        return 0;
      }

      @Override
      public int threads() {
        return 0;
      }
    };
    AtomicReference<TestParts.DirectHarvester> harvester = new AtomicReference<>();
    HarvesterProvider recording = new HarvesterProvider() {
      @Override
      public String name() {
        return "recording";
      }

      @Override
      public Harvester create(HarvesterContext context) {
        harvester.set(new TestParts.DirectHarvester(context));
        return harvester.get();
      }
    };
    // closed here, on a thread of its own, not by close(): before the fix close() never returned
    Consumer failed = DefaultConsumer.create(Consumer.builder().queue("orders").handler(m -> {}).validate(),
        TestParts.runner(runner), TestParts.worker(throwing), recording);

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(failed::start);
    Thread closer = Thread.ofVirtual().start(failed::close);

    assertThat(closer.join(Duration.ofSeconds(5))).as("close() of the failed consumer returned").isTrue();
    assertThat(thrown).isInstanceOf(ConsumerException.class)
        .hasMessage("cannot consume queue 'orders': queue 'orders' does not exist");
    assertThat(harvester.get().closed).as("harvester closed").isTrue();
    assertThat(runner.closed).isTrue();
    assertThat(failed.state()).isEqualTo(Consumer.State.FAILED);
  }

  @Test
  void start_transientFailuresAreRetried() {
    runner.transientOpenFailures.set(2);
    create(m -> {}).start();
    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
  }

  @Test
  void start_persistentTransientFailureGivesUp() {
    runner.transientOpenFailures.set(100);
    create(m -> {});
    assertThatThrownBy(consumer::start)
        .isInstanceOf(ConsumerException.class)
        .hasMessage("cannot consume queue 'orders': try again");
  }

  /**
   * A queue that takes connections and never answers: each attempt of start() waits out the client's
   * timeouts (the SQS runner's: minutes, with the SDK's retries). A close() from another thread meanwhile
   * must not wait for that: it interrupts the attempt, as the SQS runner's open() allows, start() gives up
   * and throws, and both end with the consumer TERMINATED. (Regression: close waited 484 s for start.)
   */
  @Test
  void close_whileStartConnects_startGivesUpAndCloseReturns() throws Exception {
    CountDownLatch connecting = openWithoutAnswer();
    create(m -> {});
    CompletableFuture<Throwable> started = new CompletableFuture<>();
    Thread starter = Thread.ofPlatform().start(() -> {
      try {
        consumer.start();
        started.complete(null);
      } catch (Throwable e) {
        started.complete(e);
      }
    });
    assertThat(connecting.await(10, TimeUnit.SECONDS)).isTrue();

    consumer.close();

    assertThat(consumer.state()).isEqualTo(Consumer.State.TERMINATED);
    assertThat(started.get(10, TimeUnit.SECONDS)).isInstanceOf(ConsumerException.class)
        .hasMessage("closed while connecting to queue 'orders'");
    assertThat(starter.join(Duration.ofSeconds(10))).isTrue();
    assertThat(runner.closed).as("what start created is closed").isTrue();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    consumer.close(); // idempotent
  }

  @Test
  void close_whileStartConnects_interruptOfStartsCallerIsNotKeptByStart() throws Exception {
    // close()'s interrupt is start()'s own business: the caller of start() does not find it afterwards
    CountDownLatch connecting = openWithoutAnswer();
    create(m -> {});
    CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
    Thread.ofPlatform().start(() -> {
      try {
        consumer.start();
      } catch (ConsumerException expected) {
        interruptedAfter.complete(Thread.currentThread().isInterrupted());
      }
    });
    assertThat(connecting.await(10, TimeUnit.SECONDS)).isTrue();
    consumer.close();
    assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void outcomes_followTheRules() throws Exception {
    Set<String> discarded = ConcurrentHashMap.newKeySet();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    CountDownLatch settled = new CountDownLatch(3);
    runner.queue.add(TestParts.message(1));
    runner.queue.add(TestParts.message(2));
    runner.queue.add(TestParts.message(3));
    create(Consumer.builder().queue("orders").retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(7)))
        .listener(new ConsumerListener() {
          @Override
          public void onDiscarded(Message message, Throwable cause) {
            discarded.add(message.id());
          }

          @Override
          public void onFailed(Message message, Throwable cause, Duration retryDelay) {
            failed.add(message.id());
            throw new IllegalStateException("a broken listener changes nothing");
          }
        })
        .listener(TestParts.countingSettled(settled))
        .handler(m -> {
          switch (m.id()) {
            case "m1" -> {}
            case "m2" -> throw new PermanentFailureException("malformed");
            default -> throw new IllegalStateException("not yet");
          }
        })).start();
    await(settled);
    assertThat(runner.deleted).containsExactlyInAnyOrder("m1", "m2");
    assertThat(discarded).containsExactly("m2");
    assertThat(failed).containsExactly("m3");
    assertThat(runner.released).containsEntry("m3", Duration.ofSeconds(7));
  }

  @Test
  void listener_hearsTheHandlersTimeAndTheTimeSinceTheReceive() throws Exception {
    // without a listener those times are not read from the clock; with one they must be real
    CountDownLatch acknowledged = new CountDownLatch(1);
    AtomicReference<Duration> handlerTime = new AtomicReference<>();
    AtomicReference<Duration> sinceReceived = new AtomicReference<>();
    runner.queue.add(TestParts.message(1));
    create(Consumer.builder().queue("orders")
        .listener(new ConsumerListener() {
          @Override
          public void onSucceeded(Message message, Duration took) {
            handlerTime.set(took);
          }

          @Override
          public void onAcknowledged(Message message, Duration since) {
            sinceReceived.set(since);
            acknowledged.countDown();
          }
        })
        .handler(m -> Thread.sleep(20))).start();
    await(acknowledged);
    assertThat(handlerTime.get()).isGreaterThanOrEqualTo(Duration.ofMillis(20));
    assertThat(sinceReceived.get()).isGreaterThanOrEqualTo(handlerTime.get());
  }

  /**
   * Regression: the consumer read STOPPING before its engine stopped receiving, so handlers that finished in
   * between freed permits that a poller spent on one more receive, whose messages were then released
   * unstarted (`it`'s CoreBehaviourTest saw 110 messages taken for 100 permits). Once a caller sees the
   * consumer leave RUNNING, no receive is sent.
   */
  @RepeatedTest(20)
  void close_noReceiveIsSentOnceTheConsumerLeftRunning() throws Exception {
    for (int i = 0; i < 100; i++) {
      runner.queue.add(TestParts.message(i));
    }
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    create(Consumer.builder().queue("orders").concurrency(4).prefetch(4).waitTime(Duration.ofSeconds(1))
        .handler(m -> {
          started.incrementAndGet();
          if (!gate.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the gate never opened");
          }
        })).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!(consumer.inFlight() == 8 && started.get() == 4)) { // every permit held: no poller can receive
      assertThat(System.nanoTime() - deadline).as("all permits taken in time").isNegative();
      Thread.sleep(1);
    }
    Thread closer = Thread.ofPlatform().start(consumer::close);
    while (consumer.state() == Consumer.State.RUNNING) {
      Thread.onSpinWait();
    }
    int receivesWhenStopping = runner.receives.get();
    gate.countDown(); // handlers finish and free their permits while the engine stops
    closer.join(TimeUnit.SECONDS.toMillis(20));

    assertThat(closer.isAlive()).as("close returned").isFalse();
    assertThat(runner.receives.get()).as("receives sent after the consumer left RUNNING")
        .isEqualTo(receivesWhenStopping);
    assertThat(runner.deleted.size() + runner.released.size()).as("each of the 8 taken settled once")
        .isEqualTo(8);
  }

  @Test
  void acknowledgeAlways_deletesFailuresToo() throws Exception {
    CountDownLatch acknowledged = new CountDownLatch(2);
    runner.queue.add(TestParts.message(1));
    runner.queue.add(TestParts.message(2));
    create(Consumer.builder().queue("orders").acknowledgeMode(AcknowledgeMode.ALWAYS)
        .listener(new ConsumerListener() {
          @Override
          public void onAcknowledged(Message message) {
            acknowledged.countDown();
          }
        })
        .handler(m -> {
          throw new IllegalStateException("always fails");
        })).start();
    await(acknowledged);
    assertThat(runner.deleted).containsExactlyInAnyOrder("m1", "m2");
    assertThat(runner.released).isEmpty();
  }

  @Test
  void batchHandler_partialFailures() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    CountDownLatch settled = new CountDownLatch(10);
    for (int i = 0; i < 10; i++) {
      runner.queue.add(TestParts.message(i));
    }
    create(Consumer.builder().queue("orders").retryPolicy(RetryPolicy.fixed(Duration.ZERO))
        .listener(TestParts.countingSettled(settled))
        .batchHandler(messages -> {
          batches.incrementAndGet();
          BatchResult.Builder result = BatchResult.builder();
          messages.stream().filter(m -> m.id().equals("m3")).forEach(m -> result.failed(m, new RuntimeException()));
          return result.build();
        })).start();
    await(settled);
    assertThat(batches.get()).isEqualTo(1);
    assertThat(runner.deleted).hasSize(9).doesNotContain("m3");
    assertThat(runner.released).containsOnlyKeys("m3");
  }

  /**
   * A result naming a message rebuilt with another receipt handle is matched by id: the message it meant to
   * fail is released, not deleted. One naming a message of no delivery in the batch fails the whole batch:
   * nothing it meant to fail is deleted. (Regression: both were ignored, every message deleted.)
   */
  @Test
  void batchHandler_resultNamingOtherMessageObjects_matchedByIdOrFailsTheBatch() throws Exception {
    CountDownLatch settled = new CountDownLatch(10);
    for (int i = 0; i < 5; i++) {
      runner.queue.add(TestParts.message(i));
    }
    AtomicInteger batches = new AtomicInteger();
    create(Consumer.builder().queue("orders").retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(30)))
        .listener(TestParts.countingSettled(settled))
        .batchHandler(messages -> {
          BatchResult.Builder result = BatchResult.builder();
          if (batches.incrementAndGet() == 1) { // m0-m4: m2 rebuilt with another receipt handle
            messages.stream().filter(m -> m.id().equals("m2"))
                .forEach(m -> result.failed(m.toBuilder().receiptHandle("another").build(), new RuntimeException()));
            runner.queue.add(TestParts.message(5)); // the next batch
            for (int i = 6; i < 10; i++) {
              runner.queue.add(TestParts.message(i));
            }
          } else { // m5-m9: names a message of the first batch
            result.failed(TestParts.message(0), new RuntimeException());
          }
          return result.build();
        })).start();
    await(settled);
    assertThat(batches.get()).isGreaterThanOrEqualTo(2);
    assertThat(runner.deleted).containsExactlyInAnyOrder("m0", "m1", "m3", "m4");
    assertThat(runner.released).containsOnlyKeys("m2", "m5", "m6", "m7", "m8", "m9");
  }

  /** Naming a delivery and a rebuilt copy of it: the copy is the same message, not one of another batch. */
  @Test
  void batchHandler_resultNamingADeliveryAndItsCopy_failsOnlyThatMessage() throws Exception {
    CountDownLatch settled = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      runner.queue.add(TestParts.message(i));
    }
    create(Consumer.builder().queue("orders").retryPolicy(RetryPolicy.fixed(Duration.ofSeconds(30)))
        .listener(TestParts.countingSettled(settled))
        .batchHandler(messages -> {
          BatchResult.Builder result = BatchResult.builder();
          Message m1 = messages.stream().filter(m -> m.id().equals("m1")).findFirst().orElseThrow();
          result.failed(m1, new RuntimeException());
          result.failed(m1.toBuilder().receiptHandle("another").build(), new RuntimeException());
          return result.build();
        })).start();
    await(settled);
    assertThat(runner.deleted).containsExactlyInAnyOrder("m0", "m2");
    assertThat(runner.released).containsOnlyKeys("m1");
  }

  /**
   * Makes the runner's open() a connect attempt without an answer, which ends on an interrupt as the SQS
   * runner's does; returns a latch that opens once an attempt began.
   */
  private CountDownLatch openWithoutAnswer() {
    CountDownLatch connecting = new CountDownLatch(1);
    runner.onOpen = () -> {
      connecting.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QueueException(QueueException.Kind.TRANSIENT, "", "interrupted while opening queue 'orders'", e);
      }
    };
    return connecting;
  }
}
