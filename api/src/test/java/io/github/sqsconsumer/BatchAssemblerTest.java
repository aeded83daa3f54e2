package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spi.WorkUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The batch assembler alone: batches by size, window and bytes; stop; every message once under load. */
@Timeout(60)
final class BatchAssemblerTest {
  private static final long AWAIT_SECONDS = 10;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean handlerFree = new AtomicBoolean(true);
  private final BlockingQueue<Unit> submitted = new LinkedBlockingQueue<>();
  private final BlockingQueue<WorkUnit> released = new LinkedBlockingQueue<>();
  private BatchAssembler assembler;

  @AfterEach
  void close() throws InterruptedException {
    if (assembler != null) {
      running.set(false);
      released.addAll(assembler.close());
      Thread flusher = assembler.flusher();
      if (flusher != null) {
        flusher.join(Duration.ofSeconds(AWAIT_SECONDS));
        assertThat(flusher.isAlive()).as("the flusher ends after close").isFalse();
      }
    }
  }

  private BatchAssembler start(int size, Duration window, long maxBytes, Predicate<Unit> submit) {
    assembler = new BatchAssembler("test", size, window, maxBytes, null, running::get, released::add,
        handlerFree::get);
    assembler.start(submit);
    return assembler;
  }

  private BatchAssembler start(int size, Duration window, long maxBytes) {
    return start(size, window, maxBytes, submitted::add);
  }

  private static List<Message> messages(int from, int count) {
    List<Message> messages = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      messages.add(TestParts.message(i));
    }
    return messages;
  }

  private static Message sized(int i, int bodyBytes) {
    return Message.builder().id("m" + i).body("x".repeat(bodyBytes)).receiptHandle("r" + i).build();
  }

  private Unit nextSubmitted() throws InterruptedException {
    Unit unit = submitted.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(unit).as("a batch handed over in time").isNotNull();
    return unit;
  }

  private static List<String> ids(WorkUnit unit) {
    return unit.messages().stream().map(Message::id).toList();
  }

  @Test
  void add_sizeReached_handsOverBeforeTheWindow() throws Exception {
    start(25, Duration.ofMinutes(5), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES);

    assembler.add(messages(1, 10));
    assembler.add(messages(11, 10));
    assembler.add(messages(21, 10));

    assertThat(ids(nextSubmitted())).hasSize(25).startsWith("m1").endsWith("m25");
    assertThat(assembler.gathering()).isEqualTo(5); // the rest begins the next batch
  }

  @Test
  void window_passes_handsOverPartlyFilled() throws Exception {
    start(1_000, Duration.ofMillis(50), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES);

    assembler.add(messages(1, 3));

    assertThat(ids(nextSubmitted())).containsExactly("m1", "m2", "m3");
    assertThat(assembler.gathering()).isZero();
  }

  /**
   * A batch due while every handler is busy goes on gathering until one is free, as documented.
   * (Regression: it was taken at its window's end and waited in the worker as it stood: 4 messages where
   * 40 had arrived by the time a handler was free.)
   */
  @Test
  void window_passesWhileEveryHandlerIsBusy_goesOnGatheringUntilOneIsFree() throws Exception {
    handlerFree.set(false);
    start(1_000, Duration.ofMillis(20), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES);

    assembler.add(messages(1, 3));
    Thread.sleep(100); // five windows: due long since
    assembler.add(messages(4, 3));
    assertThat(submitted).as("nothing handed over while no handler is free").isEmpty();
    assertThat(assembler.gathering()).isEqualTo(6);

    handlerFree.set(true);
    assertThat(ids(nextSubmitted())).containsExactly("m1", "m2", "m3", "m4", "m5", "m6");
  }

  @Test
  void window_passesWhileEveryHandlerIsBusy_aFullBatchGoesAtOnce() throws Exception {
    handlerFree.set(false);
    start(5, Duration.ofMillis(20), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES);

    assembler.add(messages(1, 5));

    assertThat(ids(nextSubmitted())).hasSize(5); // full: it waits in the worker like any unit
  }

  @Test
  void bytes_nextWouldExceedTheBudget_closesTheBatchBeforeIt() throws Exception {
    start(1_000, Duration.ofMinutes(5), 1024);

    assembler.add(List.of(sized(1, 400), sized(2, 400), sized(3, 400), sized(4, 400), sized(5, 100)));

    assertThat(ids(nextSubmitted())).containsExactly("m1", "m2"); // 800 bytes; m3 would make 1200
    assertThat(assembler.gathering()).isEqualTo(3); // m3, m4 (800 bytes) and m5: 900 bytes, under the budget
  }

  @Test
  void bytes_messageLargerThanTheBudget_formsABatchOfItsOwn() throws Exception {
    start(1_000, Duration.ofMinutes(5), 1024);

    assembler.add(List.of(sized(1, 2000), sized(2, 10)));

    assertThat(ids(nextSubmitted())).containsExactly("m1");
    assertThat(assembler.gathering()).isEqualTo(1);
  }

  @Test
  void bytes_countBodyInUtf8AndAttributes() {
    Message message = Message.builder().id("m1").receiptHandle("r1").body("é€😀") // 2 + 3 + 4 bytes
        .messageAttribute("k", MessageAttribute.ofString("String", "vé")) // 1 + 6 + 3
        .messageAttribute("b", MessageAttribute.ofBinary("Binary", new byte[7])) // 1 + 6 + 7
        .build();

    assertThat(BatchAssembler.bytes(message)).isEqualTo(9 + 10 + 14);
  }

  @Test
  void add_whileTheBatchIsFullAndNotTaken_waitsForTheFlusher() throws Exception {
    CountDownLatch submitEntered = new CountDownLatch(1);
    CountDownLatch submitGo = new CountDownLatch(1);
    start(10, Duration.ofMinutes(5), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES, unit -> {
      submitEntered.countDown();
      try {
        submitGo.await(AWAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return false;
      }
      return submitted.add(unit);
    });
    assembler.add(messages(1, 10)); // full: the flusher takes it and blocks in submit (a full worker)
    assertThat(submitEntered.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assembler.add(messages(11, 10)); // the next batch fills while the first waits for the worker

    CountDownLatch added = new CountDownLatch(1);
    Thread poller = Thread.ofVirtual().start(() -> {
      assembler.add(messages(21, 5));
      added.countDown();
    });
    assertThat(added.await(200, TimeUnit.MILLISECONDS)).as("waits while the open batch is full").isFalse();

    submitGo.countDown();
    assertThat(added.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    poller.join();
    assertThat(ids(nextSubmitted())).hasSize(10).startsWith("m1");
    assertThat(ids(nextSubmitted())).hasSize(10).startsWith("m11");
    assertThat(released).isEmpty();
  }

  @Test
  void close_halfAssembled_returnsTheOpenBatch_laterAddsReleaseTheirMessages() throws Exception {
    start(1_000, Duration.ofMinutes(5), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES);
    assembler.add(messages(1, 7));

    List<Unit> open = assembler.close();
    assembler.add(messages(8, 3));

    assertThat(open).hasSize(1);
    assertThat(ids(open.get(0))).hasSize(7);
    assertThat(released).hasSize(1);
    assertThat(ids(released.poll())).containsExactly("m8", "m9", "m10");
    assertThat(submitted).isEmpty();
  }

  @Test
  void add_interruptedWhileWaiting_releasesWhatIsLeftAndKeepsTheInterrupt() throws Exception {
    start(5, Duration.ofMinutes(5), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES, unit -> false); // refuses
    AtomicBoolean interruptKept = new AtomicBoolean();
    CountDownLatch go = new CountDownLatch(1);
    Thread poller = Thread.ofVirtual().start(() -> {
      Thread.currentThread().interrupt();
      assembler.add(messages(1, 10)); // 5 fill the batch; waiting for room, the interrupt ends the wait
      interruptKept.set(Thread.currentThread().isInterrupted());
      go.countDown();
    });
    assertThat(go.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    poller.join();

    assertThat(interruptKept).isTrue();
    // the first five went to the refusing worker, or gathered; the other five came back at once
    Set<String> seen = ConcurrentHashMap.newKeySet();
    released.forEach(unit -> seen.addAll(ids(unit)));
    assembler.close().forEach(unit -> seen.addAll(ids(unit)));
    assertThat(seen).containsAll(ids(new Unit(null, messages(6, 5))));
  }

  @Test
  void flusher_submitThrowsAnError_releasesTheBatchAndGoesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(3, Duration.ofMinutes(5), Consumer.Builder.DEFAULT_BATCH_MAX_BYTES, unit -> {
      if (calls.getAndIncrement() == 0) {
        throw new OutOfMemoryError("no thread for you (test)");
      }
      return submitted.add(unit);
    });

    assembler.add(messages(1, 3));
    WorkUnit back = released.poll(AWAIT_SECONDS, TimeUnit.SECONDS);
    assembler.add(messages(4, 3));

    assertThat(back).isNotNull();
    assertThat(ids(back)).containsExactly("m1", "m2", "m3");
    assertThat(ids(nextSubmitted())).containsExactly("m4", "m5", "m6");
  }

  /**
   * Pollers add receives of 1 to 10 messages of random sizes while the worker takes or refuses batches at
   * random; after close, every message was handed over or released exactly once, and no batch broke its
   * bounds.
   */
  @RepeatedTest(3)
  void add_manyPollersUnderLoad_everyMessageOnceAndEveryBatchWithinItsBounds() throws Exception {
    int size = 37;
    long maxBytes = 4096;
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    AtomicInteger badBatches = new AtomicInteger();
    start(size, Duration.ofMillis(2), maxBytes, unit -> {
      long bytes = unit.messages().stream().mapToLong(BatchAssembler::bytes).sum();
      if (unit.messages().isEmpty() || unit.messages().size() > size
          || (bytes > maxBytes && unit.messages().size() > 1)) {
        badBatches.incrementAndGet();
      }
      return ThreadLocalRandom.current().nextInt(10) > 0 && submitted.add(unit); // one in ten refused
    });
    int pollers = 8;
    int receives = 400;
    AtomicInteger next = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < pollers; p++) {
      threads.add(Thread.ofVirtual().start(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int r = 0; r < receives; r++) {
          List<Message> receive = new ArrayList<>();
          for (int m = random.nextInt(1, 11); m > 0; m--) {
            receive.add(sized(next.incrementAndGet(), random.nextInt(0, 700)));
          }
          assembler.add(receive);
        }
      }));
    }
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(AWAIT_SECONDS * 3));
      assertThat(thread.isAlive()).as("a poller finished").isFalse();
    }
    running.set(false);
    List<Unit> open = assembler.close();
    Thread flusher = assembler.flusher();
    flusher.join(Duration.ofSeconds(AWAIT_SECONDS));
    assertThat(flusher.isAlive()).isFalse();

    submitted.forEach(unit -> unit.messages().forEach(m -> seen.merge(m.id(), 1, Integer::sum)));
    released.forEach(unit -> unit.messages().forEach(m -> seen.merge(m.id(), 1, Integer::sum)));
    open.forEach(unit -> unit.messages().forEach(m -> seen.merge(m.id(), 1, Integer::sum)));
    assertThat(seen).hasSize(next.get());
    assertThat(seen.values()).allMatch(count -> count == 1);
    assertThat(badBatches).hasValue(0);
    assembler = null; // closed here
  }
}
