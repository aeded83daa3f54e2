package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark once, in seconds, so none of them rots: one fork on this JVM's java, no warm-up,
 * one short measurement, one parameter combination each; and the comparison job in its smoke mode. The
 * figures mean nothing; that each candidate handles messages at all, does.
 */
final class BenchmarkSmokeTest {

  private static Collection<RunResult> runOnce(Class<?> benchmark, Map<String, String> params)
      throws RunnerException {
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(benchmark.getName() + "\\.")
        .forks(1)
        // the build's JDK (the toolchain's, which runs this test), not whatever `java` is on the PATH; the
        // command of this process is not always known, nor always a launcher that takes JMH's arguments
        .jvm(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(200))
        .shouldFailOnError(true);
    params.forEach(options::param);
    return new Runner(options.build()).run();
  }

  private static void assertHandledSomething(Collection<RunResult> results) {
    assertThat(results).hasSize(1);
    assertThat(results.iterator().next().getPrimaryResult().getScore()).isPositive();
  }

  @Test
  void workerBenchmark_runsOnce() throws RunnerException {
    assertHandledSomething(runOnce(WorkerBenchmark.class, Map.of("worker", "POOL", "implementation", "LIBRARY",
        "work", "NOOP", "concurrency", "16")));
  }

  @Test
  void combinationBenchmark_runsOnce() throws RunnerException {
    assertHandledSomething(runOnce(CombinationBenchmark.class, Map.of("candidate", "SEMAPHORE_BATCH",
        "handler", "NOOP", "concurrency", "16")));
  }

  @Test
  void scalingBenchmark_runsOnce() throws RunnerException {
    assertHandledSomething(runOnce(ScalingBenchmark.class, Map.of("worker", "POOL", "concurrency", "16")));
  }

  @Test
  void elasticMqBenchmark_runsOnce() throws RunnerException {
    Collection<RunResult> results = runOnce(ElasticMqBenchmark.class, Map.of("candidate", "POOL_BATCH",
        "handler", "NOOP", "delayMillis", "15", "concurrency", "100"));
    assertHandledSomething(results);
    assertThat(results.iterator().next().getSecondaryResults()).containsKey("queueRequests");
  }

  @Test
  void compare_smoke() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<List<Compare.Row>> scenarios;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      scenarios = new Compare(out, true).run(List.of(Duration.ofMillis(15)));
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(scenarios).hasSize(1);
    assertThat(scenarios.get(0)).extracting(Compare.Row::candidate).containsExactly(Candidate.SEMAPHORE_BATCH,
        Candidate.SEMAPHORE_DIRECT, Candidate.POOL_BATCH, Candidate.POOL_DIRECT, Candidate.PLAIN_SDK,
        Candidate.UNCAPPED_SDK);
    assertThat(scenarios.get(0)).allSatisfy(row -> {
      assertThat(row.messagesPerSecond()).isPositive();
      assertThat(row.requestsPerMessage()).isPositive();
      assertThat(row.p99()).isGreaterThanOrEqualTo(row.p50());
    });
    assertThat(printed).contains("6/6]", "combination", "plain SDK (baseline)", "x plain");
  }
}
