package io.github.sqsconsumer;

import io.github.sqsconsumer.spi.WorkUnit;
import java.util.List;

/** The core's unit of work: one message, or one batch for the batch handler; the worker runs it. */
final class Unit implements WorkUnit {
  private final Handling handling;
  private final List<Message> messages;
  /**
   * How many of its messages, in order, had their outcome handed over (to the harvester, or given up on);
   * written and read only by the thread running the unit, to know what a failure half-way left unsettled.
   */
  int settled;
  /**
   * Whether its handler failed with the overload signal of adaptive concurrency; written and read only by
   * the thread running the unit.
   */
  boolean overloaded;

  Unit(Handling handling, List<Message> messages) {
    this.handling = handling;
    this.messages = messages;
  }

  @Override
  public List<Message> messages() {
    return messages;
  }

  /** Returns the FIFO group of this unit (all its messages share it), or null. */
  String group() {
    return messages.get(0).groupId().orElse(null);
  }

  @Override
  public void run() {
    handling.run(this);
  }

  @Override
  public String toString() {
    return "Unit" + messages;
  }
}
