package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class FifoSchedulerTest {
  /** What the scheduler last told the flow control of the messages waiting behind their group's head. */
  private final AtomicInteger followers = new AtomicInteger();
  private final FifoScheduler scheduler = new FifoScheduler("test", () -> true, unit -> {}, followers::set, 3);

  private static Unit unit(String group, int i) {
    return new Unit(null, List.of(Message.builder().id(group + i).body("").receiptHandle("r" + i)
        .attribute(Message.MESSAGE_GROUP_ID, group).build()));
  }

  @Test
  void offer_oneUnitPerGroupAtATime() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit b1 = unit("b", 1);
    assertThat(scheduler.offer(List.of(a1, a2, b1))).containsExactly(a1, b1);
    assertThat(scheduler.completed(a1, false)).isEmpty();
    assertThat(scheduler.ready()).containsExactly(a2);
  }

  @Test
  void offer_laterReceiveWaitsBehindTheBusyGroup() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    assertThat(scheduler.offer(List.of(a1))).containsExactly(a1);
    assertThat(scheduler.offer(List.of(a2))).isEmpty();
    assertThat(scheduler.completed(a1, false)).isEmpty();
    assertThat(scheduler.ready()).containsExactly(a2);
  }

  /**
   * Regression: units of one receive were offered one at a time, each followed by its submit, so a head
   * that failed at once made the scheduler forget its group before the next unit arrived; that unit then
   * ran out of order. Offering the whole receive first leaves the followers here to be released.
   */
  @Test
  void completed_headFailsAtOnce_followersOfTheSameReceiveAreReleased() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit a3 = unit("a", 3);
    List<Unit> heads = scheduler.offer(List.of(a1, a2, a3));
    assertThat(heads).containsExactly(a1);
    assertThat(scheduler.completed(a1, true)).containsExactly(a2, a3);
    assertThat(scheduler.ready()).isEmpty();
    // the group is idle again: its next delivery goes straight to the worker
    assertThat(scheduler.offer(List.of(unit("a", 1)))).hasSize(1);
  }

  /**
   * A failed head's release can come back before the head's unit has finished here (a retry delay of zero,
   * a harvester that releases at once): the redelivery waits behind it, and is the group's next head, not a
   * follower to release. (Regression: it was released unhandled, a receive of the retried message spent for
   * nothing and counted toward maxReceiveCount.)
   */
  @Test
  void completed_headFails_itsRedeliveryWaitingBehindRunsNext() {
    Unit a1 = unit("a", 1);
    Unit a1Again = unit("a", 1); // the same message, received again after the head's release
    Unit a2 = unit("a", 2); // received with it
    assertThat(scheduler.offer(List.of(a1))).containsExactly(a1);
    assertThat(scheduler.offer(List.of(a1Again, a2))).isEmpty();
    assertThat(followers.get()).isEqualTo(2);

    assertThat(scheduler.completed(a1, true)).as("nothing to release").isEmpty();
    assertThat(scheduler.ready()).containsExactly(a1Again);
    assertThat(followers.get()).isEqualTo(1);
    assertThat(scheduler.completed(a1Again, false)).isEmpty();
    assertThat(scheduler.ready()).containsExactly(a1Again, a2); // a snapshot: nobody drains it here
  }

  @Test
  void close_handsBackEverythingWaiting() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit a3 = unit("a", 3);
    scheduler.offer(List.of(a1, a2, a3));
    scheduler.completed(a1, false); // a2 ready, a3 waiting
    assertThat(scheduler.close()).containsExactlyInAnyOrder(a2, a3);
    assertThat(scheduler.offer(List.of(unit("b", 1)))).isNull();
  }

  /**
   * The flow control hears how many messages wait behind their group's head, up to the cap: they cannot
   * run, and the room they take must not be what other groups' heads need.
   */
  @Test
  void followers_countedUpToTheCap_untilTheyRunOrGoBack() {
    Unit a1 = unit("a", 1);
    Unit a2 = unit("a", 2);
    Unit a3 = unit("a", 3);
    Unit b1 = unit("b", 1);
    Unit b2 = unit("b", 2);
    Unit b3 = unit("b", 3);
    scheduler.offer(List.of(a1, a2, a3, b1, b2));
    assertThat(followers).hasValue(3); // a2, a3, b2
    scheduler.offer(List.of(b3));
    assertThat(followers).as("four waiting, capped").hasValue(3);

    scheduler.completed(a1, false); // a2 runs next
    assertThat(followers).hasValue(3); // a3, b2, b3
    scheduler.completed(b1, true); // b2 and b3 go back
    assertThat(followers).hasValue(1);
    scheduler.completed(a2, false);
    assertThat(followers).hasValue(0);
    scheduler.offer(List.of(unit("c", 1), unit("c", 2)));
    assertThat(followers).hasValue(1);
    scheduler.close();
    assertThat(followers).hasValue(0);
  }
}
