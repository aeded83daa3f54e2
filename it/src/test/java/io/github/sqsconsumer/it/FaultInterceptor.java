package io.github.sqsconsumer.it;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * An SDK interceptor that fails a share of calls before they are sent, as the SDK fails a call it cannot
 * send (an {@link SdkClientException}, which callers treat as "no answer from the queue").
 *
 * <p>Complements {@link FaultProxy}: the proxy breaks the wire, this breaks the client. Thread-safe.
 */
final class FaultInterceptor implements ExecutionInterceptor {
  private final double share;
  private final int every; // 0: at random with the share; else every this many calls, the first at half of it
  private final AtomicLong calls = new AtomicLong();
  private final Set<String> operations;
  private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();

  /**
   * @param share the probability that a call fails, 0 to 1
   * @param operations the SQS operations to fail, such as {@code DeleteMessageBatch}; empty for all
   */
  FaultInterceptor(double share, Set<String> operations) {
    this(share, 0, operations);
  }

  private FaultInterceptor(double share, int every, Set<String> operations) {
    this.share = share;
    this.every = every;
    this.operations = Set.copyOf(operations);
  }

  /**
   * Fails exactly one call in {@code n} of all operations, the first being call {@code n / 2}: an exact
   * share, and a fault that certainly happens in any run of {@code n / 2} calls or more.
   */
  static FaultInterceptor every(int n) {
    return new FaultInterceptor(1.0 / n, n, Set.of());
  }

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    if (!operations.isEmpty() && !operations.contains(operation)) {
      return;
    }
    boolean fail = every > 0 ? calls.incrementAndGet() % every == every / 2
        : ThreadLocalRandom.current().nextDouble() < share;
    if (fail) {
      failed.computeIfAbsent(operation, o -> new LongAdder()).increment();
      throw SdkClientException.create("injected by FaultInterceptor: " + operation + " not sent");
    }
  }

  /** Returns how many calls of each operation were failed. */
  Map<String, Long> failed() {
    Map<String, Long> result = new TreeMap<>();
    failed.forEach((o, n) -> result.put(o, n.sum()));
    return result;
  }
}
