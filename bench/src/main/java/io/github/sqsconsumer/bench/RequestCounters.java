package io.github.sqsconsumer.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH side figure: queue requests per second during the measured invocations. Divided by the primary
 * score (messages per second) it gives requests per message; JMH cannot print the ratio itself, because
 * an {@code EVENTS} counter is summed over iterations.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class RequestCounters {
  /** Requests to the queue (receives, deletes, visibility changes), per second. */
  public long queueRequests;

  private long lastSeen = -1;

  @Setup(Level.Iteration)
  public void reset() {
    queueRequests = 0;
    lastSeen = -1;
  }

  /** Adds the requests since the last call; the first call of an iteration only takes the reading. */
  void observe(long totalRequests) {
    if (lastSeen >= 0) {
      queueRequests += totalRequests - lastSeen;
    }
    lastSeen = totalRequests;
  }
}
