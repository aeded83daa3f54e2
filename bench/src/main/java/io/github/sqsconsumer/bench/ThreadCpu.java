package io.github.sqsconsumer.bench;

import java.lang.management.ManagementFactory;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the process split by whose threads used it, from {@link java.lang.management.ThreadMXBean}
 * readings before and after a measured stretch. Threads are told apart by name:
 * <ul>
 *   <li>{@link Owner#CONSUMER}: the candidate's own platform threads (the library's consumer is named
 *       {@code bench}; the baselines {@code plain-sdk} and {@code uncapped-sdk});
 *   <li>{@link Owner#CARRIERS}: the carriers of virtual threads ({@code ForkJoinPool-N-worker-M}). The
 *       MXBean does not see virtual threads, only the platform threads they run on; in {@link Compare}
 *       every virtual thread is the candidate's (its pollers, handlers, the semaphore worker's units), as
 *       the delay proxy runs on platform threads of its own;
 *   <li>{@link Owner#SDK}: the AWS SDK's response executor and Netty's event loops. The candidate's
 *       callbacks on the SDK's futures run there too, so this is consumer-side work;
 *   <li>{@link Owner#ELASTICMQ}: the embedded server (Pekko);
 *   <li>{@link Owner#HARNESS}: the measuring thread, the delay proxy, the producer;
 *   <li>{@link Owner#OTHER}: any other thread.
 * </ul>
 * The process's CPU ({@code OperatingSystemMXBean}) minus the sum of the threads is what no live thread
 * accounts for: the JVM's own threads (GC, JIT compilers, which the MXBean does not list) and threads that
 * ended during the stretch. Not thread-safe: one thread takes the readings.
 */
final class ThreadCpu {

  /** Whose a thread is. */
  enum Owner {
    CONSUMER("consumer"),
    CARRIERS("vthreads"),
    SDK("SDK/Netty"),
    ELASTICMQ("ElasticMQ"),
    HARNESS("harness"),
    OTHER("other");

    private final String label;

    Owner(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    /** The consumer side: the candidate's threads, the virtual threads' carriers, the SDK's threads. */
    boolean consumerSide() {
      return this == CONSUMER || this == CARRIERS || this == SDK;
    }
  }

  /** Name prefixes of the candidates' platform threads. */
  private static final List<String> CONSUMER_PREFIXES = List.of("bench-", "plain-", "uncapped-sdk-");

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  static {
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  /** One reading: CPU nanoseconds by thread id, the owner of each thread, the process's CPU. */
  record Snapshot(Map<Long, Long> cpuByThread, Map<Long, Owner> owners, long processCpuNanos) {}

  /** CPU nanoseconds used between two readings, by owner, and by the whole process. */
  record Usage(Map<Owner, Long> byOwner, long processNanos) {
    /** Returns the CPU of the consumer side (its threads, carriers, SDK). */
    long consumerSideNanos() {
      return byOwner.entrySet().stream().filter(e -> e.getKey().consumerSide()).mapToLong(Map.Entry::getValue).sum();
    }

    long nanos(Owner owner) {
      return byOwner.getOrDefault(owner, 0L);
    }

    /** Returns the process's CPU that no live thread accounts for (JVM threads, ended threads). */
    long unattributedNanos() {
      return processNanos - byOwner.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private ThreadCpu() {}

  /** Reads every live platform thread's CPU time and the process's. */
  static Snapshot take() {
    long[] ids = THREADS.getAllThreadIds();
    long[] cpu = THREADS.getThreadCpuTime(ids);
    var infos = THREADS.getThreadInfo(ids);
    Map<Long, Long> cpuByThread = new HashMap<>(ids.length * 2);
    Map<Long, Owner> owners = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      if (cpu[i] >= 0 && infos[i] != null) { // -1 or null: ended meanwhile
        cpuByThread.put(ids[i], cpu[i]);
        owners.put(ids[i], owner(infos[i].getThreadName()));
      }
    }
    return new Snapshot(cpuByThread, owners, OS.getProcessCpuTime());
  }

  /** Returns the CPU used from {@code before} to {@code after}; a thread new since counts from zero. */
  static Usage between(Snapshot before, Snapshot after) {
    Map<Owner, Long> byOwner = new EnumMap<>(Owner.class);
    for (Owner owner : Owner.values()) {
      byOwner.put(owner, 0L);
    }
    after.cpuByThread().forEach((id, cpu) -> {
      long used = cpu - before.cpuByThread().getOrDefault(id, 0L);
      byOwner.merge(after.owners().get(id), Math.max(0, used), Long::sum);
    });
    return new Usage(byOwner, after.processCpuNanos() - before.processCpuNanos());
  }

  /** Classifies a thread by its name; see the class comment. */
  static Owner owner(String name) {
    for (String prefix : CONSUMER_PREFIXES) {
      if (name.startsWith(prefix)) {
        return Owner.CONSUMER;
      }
    }
    if (name.matches("ForkJoinPool-\\d+-worker-\\d+")) {
      return Owner.CARRIERS;
    }
    if (name.startsWith("sdk-async-response") || name.startsWith("aws-java-sdk-") || name.contains("NettyEventLoop")
        || name.startsWith("nioEventLoop") || name.startsWith("epollEventLoop")) {
      return Owner.SDK;
    }
    if (name.startsWith("elasticmq") || name.contains("pekko")) {
      return Owner.ELASTICMQ;
    }
    if (name.equals("main") || name.startsWith("delay-proxy") || name.equals("producer")) {
      return Owner.HARNESS;
    }
    return Owner.OTHER;
  }

  /** Returns the names of the live threads this class files under {@link Owner#OTHER}: to check it. */
  static List<String> unclassified() {
    long[] ids = THREADS.getAllThreadIds();
    return java.util.Arrays.stream(THREADS.getThreadInfo(ids))
        .filter(java.util.Objects::nonNull)
        .map(java.lang.management.ThreadInfo::getThreadName)
        .filter(name -> owner(name) == Owner.OTHER)
        .distinct()
        .sorted()
        .toList();
  }
}
