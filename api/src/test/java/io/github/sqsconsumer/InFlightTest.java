package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The in-flight registry, registered by receive: what is here, what leaves, and that a message leaves once
 * whichever threads settle it and however a harvester hands it back.
 */
final class InFlightTest {
  private static final long DEADLINE = Duration.ofSeconds(30).toNanos();

  private final InFlight registry = new InFlight(new ConsumerListener() {});

  private static List<Message> receive(int from, int count) {
    return IntStream.range(from, from + count).mapToObj(TestParts::message).toList();
  }

  private void register(List<Message> messages) {
    long now = System.nanoTime();
    registry.addAll(messages, now, now + DEADLINE);
  }

  @Test
  void aReceive_isHereUntilItsLastMessageLeaves() {
    List<Message> receive = receive(0, 10);
    register(receive);
    assertThat(registry.size()).isEqualTo(10);
    assertThat(registry.entries()).extracting(entry -> entry.message)
        .containsExactlyInAnyOrderElementsOf(receive);

    for (int i = 0; i < 9; i++) {
      assertThat(registry.remove(receive.get(i))).isTrue();
    }
    assertThat(registry.size()).isEqualTo(1);
    assertThat(registry.entries()).extracting(entry -> entry.message).containsExactly(receive.get(9));
    assertThat(registry.visibilityLeftNanos(receive.get(0), System.nanoTime())).isEmpty();
    assertThat(registry.visibilityLeftNanos(receive.get(9), System.nanoTime())).isPresent();

    registry.acknowledged(receive.get(9));
    assertThat(registry.size()).isZero();
    assertThat(registry.entries()).isEmpty();
  }

  @Test
  void aMessage_leavesOnce() {
    List<Message> receive = receive(0, 3);
    register(receive);
    assertThat(registry.remove(receive.get(1))).isTrue();
    assertThat(registry.remove(receive.get(1))).as("removed already").isFalse();
    registry.acknowledged(receive.get(1)); // a late report changes nothing
    registry.failed(receive.get(1), new RuntimeException("late"));
    assertThat(registry.size()).isEqualTo(2);
  }

  @Test
  void anEqualCopy_findsTheRegisteredMessage() {
    List<Message> receive = receive(0, 10);
    register(receive);
    Message copy = receive.get(4).toBuilder().build(); // a harvester that hands back a copy, off its contract

    registry.releasing(copy, Duration.ofSeconds(5));
    assertThat(registry.visibilityLeftNanos(copy, System.nanoTime())).isPresent();
    assertThat(registry.remove(copy)).isTrue();
    assertThat(registry.remove(receive.get(4))).as("the original is the same delivery: gone").isFalse();
    assertThat(registry.size()).isEqualTo(9);
  }

  @Test
  void aMessageNeverRegistered_isNotHere() {
    register(receive(0, 5));
    Message stranger = TestParts.message(99);
    assertThat(registry.remove(stranger)).isFalse();
    assertThat(registry.visibilityLeftNanos(stranger, System.nanoTime())).isEmpty();
    registry.acknowledged(stranger);
    assertThat(registry.size()).isEqualTo(5);
  }

  @Test
  void aMessageRegisteredAgain_replacesItsEntry() {
    Message message = TestParts.message(1);
    register(List.of(message));
    register(List.of(message));
    assertThat(registry.size()).isEqualTo(1);
    assertThat(registry.remove(message)).isTrue();
    assertThat(registry.size()).isZero();
  }

  @Test
  void theSameMessage_inTwoRegistries_isHereInBoth() {
    InFlight other = new InFlight(new ConsumerListener() {});
    Message message = TestParts.message(1);
    long now = System.nanoTime();
    other.addAll(List.of(message), now, now + DEADLINE);
    registry.addAll(List.of(message), now, now + DEADLINE);

    assertThat(other.remove(message)).isTrue();
    assertThat(registry.remove(message)).isTrue();
    assertThat(other.size()).isZero();
    assertThat(registry.size()).isZero();
  }

  /**
   * Settlers on many threads, each message settled by two racing threads (a delete's report and an engine
   * removal): every message leaves exactly once, and nothing stays registered.
   */
  @Test
  void racingSettlers_removeEachMessageExactlyOnce() throws Exception {
    int receives = 2_000;
    List<Message> all = new ArrayList<>();
    for (int r = 0; r < receives; r++) {
      List<Message> receive = receive(r * 10, 10);
      register(receive);
      all.addAll(receive);
    }
    assertThat(registry.size()).isEqualTo(all.size());

    AtomicInteger removed = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int first = t % 4; // two threads per quarter of the messages, racing for each
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = first; i < all.size(); i += 4) {
          if (registry.remove(all.get(i))) {
            removed.incrementAndGet();
          }
          if (i % 400 == first) {
            registry.entries(); // the heartbeat's scan, during the removals
          }
        }
      }));
    }
    go.countDown();
    for (Thread thread : threads) {
      assertThat(thread.join(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(removed.get()).isEqualTo(all.size());
    assertThat(registry.size()).isZero();
    assertThat(registry.entries()).isEmpty();
  }
}
