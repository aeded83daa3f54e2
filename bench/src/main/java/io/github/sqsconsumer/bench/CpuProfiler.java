package io.github.sqsconsumer.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler for throughput benchmarks: the benchmark process's CPU time per operation
 * ({@code cpu.ns/op}: CPU nanoseconds of all its threads, the harness's and the JVM's included, over the
 * iteration's operations) and the cores it kept busy ({@code cpu.cores}). On a machine shared with other
 * work, throughput says how much CPU the benchmark got; CPU per operation is closer to what an operation
 * costs, though the load still moves it (threads that wait for work spin or park as the scheduler lets
 * them). Per iteration: the process's CPU ({@code OperatingSystemMXBean}) and the wall clock before and
 * after it, and the operations from the iteration's score.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ObservabilityBenchmark -prof io.github.sqsconsumer.bench.CpuProfiler
 * </pre>
 */
public final class CpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long cpuBefore;
  private long wallBefore;

  /** Creates the profiler; JMH calls this. */
  public CpuProfiler() {}

  @Override
  public String getDescription() {
    return "process CPU time per operation, and cores kept busy";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    wallBefore = System.nanoTime();
    cpuBefore = os.getProcessCpuTime();
  }

  @Override
  public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
      IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuBefore;
    long wall = System.nanoTime() - wallBefore;
    double opsPerSecond = result.getPrimaryResult().getScore(); // throughput mode: operations per second
    double ops = opsPerSecond * wall / 1e9;
    return List.of(
        new ScalarResult("cpu.ns/op", ops > 0 ? cpu / ops : Double.NaN, "ns/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.cores", (double) cpu / wall, "cores", AggregationPolicy.AVG));
  }
}
