package io.github.sqsconsumer.bench;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the in-memory rig itself costs per message, with no consumer: one thread sends ten messages,
 * receives ten and deletes them in a batch, against an {@link InMemoryQueue} that holds {@code backlog}
 * visible messages and {@code inFlight} received and undeleted ones, as the queue under
 * {@link CombinationBenchmark} and {@link ScalingBenchmark} does (at 4,096: a backlog of about 15,000 and
 * as many in flight as the consumer holds). The score is messages per second through the queue; whatever
 * the queue spends here it spends under every candidate alike.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -pl bench -am -DskipTests package -Pjmh -Djmh.args="QueueRigBenchmark"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueueRigBenchmark {
  private static final int BATCH = 10;

  @Param({"100", "15000"})
  public int backlog;

  @Param({"100", "15000"})
  public int inFlight;

  private InMemoryQueue queue;

  @Setup
  public void setUp() throws Exception {
    queue = InMemoryQueue.standard(MemoryRig.QUEUE, Duration.ofMinutes(10)).trackMessages(false);
    for (int i = 0; i < backlog + inFlight; i++) {
      queue.send(Long.toString(i));
    }
    for (int held = 0; held < inFlight; held += BATCH) { // received and kept: in flight until the end
      queue.receive(BATCH, Duration.ZERO).get();
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Object sendReceiveDelete() throws Exception {
    List<String> bodies = new ArrayList<>(BATCH);
    for (int i = 0; i < BATCH; i++) {
      bodies.add(queue.send(Long.toString(i)));
    }
    List<Message> received = queue.receive(BATCH, Duration.ZERO).get();
    queue.deleteBatch(received).get();
    return bodies;
  }
}
