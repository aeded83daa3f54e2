package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class FifoSchedulerTest {
  private final FifoScheduler scheduler = new FifoScheduler();

  private static Unit unit(String group, int i) {
    return new Unit(null, List.of(Message.builder().id(group + i).body("").receiptHandle("r" + i)
        .attribute(Message.MESSAGE_GROUP_ID, group).build()));
  }

  @Test
  void offer_oneUnitPerGroupAtATime() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit b1 = unit("b", 1);
    assertThat(scheduler.offer(a1)).isTrue();
    assertThat(scheduler.offer(a2)).isFalse();
    assertThat(scheduler.offer(b1)).isTrue();
    assertThat(scheduler.completed(a1, false)).isEmpty();
    assertThat(scheduler.ready).containsExactly(a2);
  }

  @Test
  void completed_failureReleasesTheRestOfTheGroup() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit a3 = unit("a", 3);
    scheduler.offer(a1);
    scheduler.offer(a2);
    scheduler.offer(a3);
    assertThat(scheduler.completed(a1, true)).containsExactly(a2, a3);
    assertThat(scheduler.ready).isEmpty();
    // the group is idle again: its next delivery goes straight to the worker
    assertThat(scheduler.offer(unit("a", 1))).isTrue();
  }

  @Test
  void close_handsBackEverythingWaiting() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit a3 = unit("a", 3);
    scheduler.offer(a1);
    scheduler.offer(a2);
    scheduler.offer(a3);
    scheduler.completed(a1, false); // a2 ready, a3 waiting
    assertThat(scheduler.close()).containsExactlyInAnyOrder(a2, a3);
    assertThat(scheduler.offer(unit("b", 1))).isFalse();
    assertThat(scheduler.isClosed()).isTrue();
  }
}
