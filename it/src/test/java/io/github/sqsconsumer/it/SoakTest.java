package io.github.sqsconsumer.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long run with a small heap: {@link SoakRun} in a child JVM with {@code -Xmx64m} pushes messages through
 * a consumer and an in-memory queue with faults and three restarts, and samples the heap after garbage
 * collection and the live platform threads at every tenth of the messages. The heap and the threads must
 * stay where they were at the first tenth (a leak per message, per fault or per restart would grow them),
 * and nothing may be lost: every message handled to the end, deleted once, the queue empty.
 *
 * <p>100,000 messages by default, well under a minute; {@code -Dit.soak.messages=1000000} for the million
 * (the figures of such a run are in the commit that added this test), {@code -Dit.soak.parts=semaphore+direct}
 * for other parts (default {@code pool+batch}).
 */
final class SoakTest {
  private static final int MESSAGES = Integer.getInteger("it.soak.messages", 100_000);
  private static final String PARTS = System.getProperty("it.soak.parts", "pool+batch");
  // after a full GC the heap holds the consumer, the backlog of at most SoakRun.BACKLOG messages and the
  // run's two bits per message; what varies between samples is how full the backlog and the consumer's
  // buffers happen to be. A leak of a few dozen bytes per message reaches this over 100,000 messages
  private static final long HEAP_SLACK = 8L << 20;
  // the pool worker keeps up to its concurrency (16) threads and lets idle ones go; the rest are fixed
  private static final int THREAD_SLACK = 8;

  @Test
  void soak_faultsAndRestarts_heapAndThreadsSteadyNothingLost(@TempDir Path dir) throws Exception {
    String[] parts = PARTS.split("\\+");
    Path out = dir.resolve("out");
    Process child = ModulePathLauncher.classPathChild(List.of("-Xmx64m", "-XX:+UseSerialGC"), SoakRun.class,
            List.of(String.valueOf(MESSAGES), parts[0], parts[1]))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    // a JVM start, then about 20 s per 100,000 messages on a loaded 2-core machine: four times that
    Duration deadline = Duration.ofSeconds(60 + 80L * Math.max(1, MESSAGES / 100_000));
    boolean exited;
    try {
      exited = child.waitFor(deadline.toSeconds(), TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly(); // only if still running: ours
    }
    List<String> lines = Files.readAllLines(out);
    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    assertThat(exited).as("the child ended within %s (a thread left behind by close() keeps it alive); "
        + "it printed:%n%s", deadline, tail).isTrue();
    assertThat(child.exitValue()).as("exit value; it printed:%n%s", tail).isZero();

    List<Map<String, Long>> samples = new ArrayList<>();
    Map<String, Long> result = null;
    for (String line : lines) {
      if (line.startsWith("sample ")) {
        samples.add(fields(line));
      } else if (line.startsWith("result ")) {
        result = fields(line);
      }
    }
    assertThat(samples).as("samples; it printed:%n%s", tail).hasSize(10);
    assertThat(result).as("result; it printed:%n%s", tail).isNotNull();
    System.out.printf("soak %s, %d msgs, -Xmx64m: heap after GC (KiB) %s, threads %s; %s%n", PARTS, MESSAGES,
        samples.stream().map(s -> s.get("heap") / 1024).toList(), samples.stream().map(s -> s.get("threads")).toList(),
        result);

    long firstHeap = samples.get(0).get("heap");
    long firstThreads = samples.get(0).get("threads");
    assertThat(samples).as("heap after GC within %d MiB of the first tenth's %d KiB", HEAP_SLACK >> 20,
            firstHeap / 1024)
        .allSatisfy(s -> assertThat(s.get("heap")).isLessThanOrEqualTo(firstHeap + HEAP_SLACK));
    // a leak grows; fewer threads than at the first tenth is the pool shrinking while idle after a restart
    assertThat(samples).as("live threads at most %d above the first tenth's %d", THREAD_SLACK, firstThreads)
        .allSatisfy(s -> assertThat(s.get("threads")).isLessThanOrEqualTo(firstThreads + THREAD_SLACK));

    assertThat(result.get("missing")).as("messages never handled to the end").isZero();
    assertThat(result.get("sent")).as("sent").isEqualTo(MESSAGES);
    assertThat(result.get("deleted")).as("deleted, each once").isEqualTo(MESSAGES);
    assertThat(result.get("left")).as("left in the queue").isZero();
    assertThat(result.get("generations")).as("consumers, restarts included").isEqualTo(1 + SoakRun.RESTARTS.size());
    assertThat(result.get("passingFailures")).as("handler failures").isPositive();
    assertThat(result.get("pollErrors")).as("injected receive failures the consumer met").isPositive();
  }

  /** The numbers of a line of {@code name value} pairs after its first word. */
  private static Map<String, Long> fields(String line) {
    String[] words = line.split(" ");
    Map<String, Long> fields = new HashMap<>();
    for (int i = 1; i + 1 < words.length; i += 2) {
      fields.put(words[i], Long.parseLong(words[i + 1]));
    }
    return fields;
  }
}
