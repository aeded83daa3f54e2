package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.WorkUnit;
import java.util.List;
import java.util.Objects;

/**
 * A {@link WorkUnit} for worker tests and benchmarks: a number, one message and an action to run.
 *
 * <p>Unlike a real unit it does not catch what the action throws, so tests can check that a worker guards
 * against a throwing unit. Immutable; thread-safe if the action is.
 */
public final class WorkerTestUnit implements WorkUnit {
  private final int id;
  private final Runnable action;
  private final List<Message> messages;

  /**
   * Creates a unit.
   *
   * @param id a number telling units apart, also in the message id
   * @param action what {@link #run()} does; never null
   */
  public WorkerTestUnit(int id, Runnable action) {
    this.id = id;
    this.action = Objects.requireNonNull(action, "action");
    this.messages = List.of(Message.builder()
        .id("message-" + id)
        .body("body-" + id)
        .receiptHandle("receipt-" + id)
        .build());
  }

  /** {@return the number given at creation} */
  public int id() {
    return id;
  }

  /** Runs the action; lets whatever it throws escape. */
  @Override
  public void run() {
    action.run();
  }

  @Override
  public List<Message> messages() {
    return messages;
  }

  @Override
  public String toString() {
    return "WorkerTestUnit[" + id + "]";
  }
}
