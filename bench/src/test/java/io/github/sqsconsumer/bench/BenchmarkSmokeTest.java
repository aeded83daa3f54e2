package io.github.sqsconsumer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BinaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark in seconds, so none of them rots: every class the annotation processor listed in
 * {@code META-INF/BenchmarkList}, with every value of each of its enum parameters (every candidate,
 * baselines included) at the smallest of its numeric ones, no warm-up, one short measurement, in this
 * JVM; one benchmark also in a fork, as the real runs go; and the comparison job in its smoke mode. The
 * figures mean nothing; that each candidate handles messages at all, does.
 */
final class BenchmarkSmokeTest {
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");
  private static final String PACKAGE = WorkerBenchmark.class.getPackageName();

  /** The classes whose benchmarks ran to a result here, for the last dynamic test. */
  private static final Set<String> RAN = ConcurrentHashMap.newKeySet();

  /** Reads the generated {@code META-INF/BenchmarkList}: its entries by benchmark class, sorted. */
  private static Map<String, List<BenchmarkListEntry>> listedBenchmarks() {
    return BenchmarkList.defaultList()
        .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of())
        .stream()
        .collect(Collectors.groupingBy(BenchmarkListEntry::getUserClassQName, TreeMap::new, Collectors.toList()));
  }

  /** The parameters as listed (annotation values, or every constant of an enum without values). */
  private static Map<String, String[]> params(BenchmarkListEntry entry) {
    return entry.getParams().orElse(Map.of());
  }

  private static boolean numeric(String[] values) {
    return Arrays.stream(values).allMatch(v -> NUMBER.matcher(v).matches());
  }

  /**
   * Runs one class's benchmarks in this JVM: enum (any non-numeric) parameters with all their values,
   * numeric ones at their smallest. Forks would cost a JVM start (and for ElasticMQ a cold server) for each
   * of the 30-odd trials: minutes instead of seconds.
   */
  private static void runEveryEnumValue(String benchmarkClass, List<BenchmarkListEntry> entries)
      throws RunnerException, ReflectiveOperationException {
    ChainedOptionsBuilder options = smokeOptions(benchmarkClass).forks(0);
    Map<String, Set<String>> enumValues = new TreeMap<>();
    Map<String, String> smallest = new TreeMap<>();
    long trials = 0;
    for (BenchmarkListEntry entry : entries) {
      long combinations = 1;
      for (Map.Entry<String, String[]> param : params(entry).entrySet()) {
        String[] values = param.getValue();
        if (numeric(values)) {
          Comparator<String> byValue = Comparator.comparingDouble(Double::parseDouble);
          String min = Arrays.stream(values).min(byValue).orElseThrow();
          smallest.merge(param.getKey(), min, BinaryOperator.minBy(byValue));
        } else {
          enumValues.computeIfAbsent(param.getKey(), k -> new TreeSet<>()).addAll(List.of(values));
          combinations *= values.length;
        }
      }
      trials += combinations;
    }
    smallest.forEach(options::param);

    Collection<RunResult> results = new Runner(options.build()).run();

    // a trial that failed leaves no result: one result per trial, each with a positive score
    assertThat(results).as("results of " + benchmarkClass).hasSize((int) trials);
    Map<String, Set<String>> seen = new TreeMap<>();
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark();
      String params = result.getParams().getParamsKeys().stream()
          .map(k -> k + "=" + result.getParams().getParam(k)).collect(Collectors.joining(", "));
      assertThat(benchmark).startsWith(benchmarkClass + ".");
      assertThat(result.getPrimaryResult().getScore()).as(benchmark + " (" + params + ")").isPositive();
      assertThat(result.getSecondaryResults()).as(benchmark + " side figures")
          .containsKeys(auxCounters(benchmarkClass, benchmark));
      for (String name : enumValues.keySet()) {
        seen.computeIfAbsent(name, k -> new TreeSet<>()).add(result.getParams().getParam(name));
      }
      smallest.forEach((name, min) -> assertThat(result.getParams().getParam(name)).as(name).isEqualTo(min));
    }
    assertThat(seen).as("enum parameter values run").isEqualTo(enumValues);
    RAN.add(benchmarkClass);
  }

  /** The names of the {@code @AuxCounters} fields of the states the benchmark method takes. */
  private static String[] auxCounters(String benchmarkClass, String benchmark) throws ClassNotFoundException {
    String methodName = benchmark.substring(benchmarkClass.length() + 1);
    List<String> names = new ArrayList<>();
    for (Method method : Class.forName(benchmarkClass).getMethods()) {
      if (method.getName().equals(methodName) && method.isAnnotationPresent(Benchmark.class)) {
        for (Class<?> state : method.getParameterTypes()) {
          if (state.isAnnotationPresent(AuxCounters.class)) {
            for (Field field : state.getFields()) {
              if (!Modifier.isStatic(field.getModifiers())) {
                names.add(field.getName());
              }
            }
          }
        }
      }
    }
    return names.toArray(String[]::new);
  }

  private static ChainedOptionsBuilder smokeOptions(String benchmarkClass) {
    return new OptionsBuilder()
        .include("^" + Pattern.quote(benchmarkClass) + "\\.")
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        // a stalled candidate times out in its own awaitStep (60 s); this only bounds a hang in JMH
        .timeout(TimeValue.minutes(3))
        .shouldFailOnError(true);
  }

  /** The top-level classes named {@code *Benchmark} compiled into the bench package. */
  private static Set<String> benchmarkClassesCompiled() throws IOException, URISyntaxException {
    Path root = Path.of(WorkerBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (Stream<Path> files = Files.list(root.resolve(PACKAGE.replace('.', '/')))) {
      return files.map(f -> f.getFileName().toString())
          .filter(name -> name.matches("[A-Za-z0-9]+Benchmark\\.class"))
          .map(name -> PACKAGE + "." + name.substring(0, name.length() - ".class".length()))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void benchmarkList_namesEveryBenchmarkClass() throws Exception {
    Set<String> compiled = benchmarkClassesCompiled();
    assertThat(compiled).contains(WorkerBenchmark.class.getName(), ElasticMqBenchmark.class.getName());
    assertThat(listedBenchmarks().keySet()).isEqualTo(compiled);
  }

  @TestFactory
  Stream<DynamicTest> everyBenchmark_runsWithEveryEnumValue() {
    Map<String, List<BenchmarkListEntry>> listed = listedBenchmarks();
    assertThat(listed).isNotEmpty();
    Stream<DynamicTest> runs = listed.entrySet().stream().map(e -> DynamicTest.dynamicTest(
        e.getKey().substring(PACKAGE.length() + 1), () -> runEveryEnumValue(e.getKey(), e.getValue())));
    // dynamic tests run in order: this one last, once every class had its turn
    DynamicTest allRan = DynamicTest.dynamicTest("benchmarkList_equalsTheClassesRun",
        () -> assertThat(new HashSet<>(RAN)).isEqualTo(listed.keySet()));
    return Stream.concat(runs, Stream.of(allRan));
  }

  @Test
  void workerBenchmark_runsInAFork() throws RunnerException {
    // the build's JDK (the toolchain's, which runs this test), not whatever `java` is on the PATH
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ChainedOptionsBuilder options = smokeOptions(WorkerBenchmark.class.getName())
        .forks(1)
        .jvm(java)
        .param("worker", "POOL")
        .param("implementation", "LIBRARY")
        .param("work", "NOOP")
        .param("concurrency", "16");
    Collection<RunResult> results = new Runner(options.build()).run();
    assertThat(results).hasSize(1);
    RunResult result = results.iterator().next();
    assertThat(result.getParams().getJvm()).isEqualTo(java);
    assertThat(result.getParams().getForks()).isEqualTo(1);
    assertThat(result.getPrimaryResult().getScore()).isPositive();
  }

  @Test
  void compare_smoke(@TempDir Path output) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<List<Compare.Row>> scenarios;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      scenarios = new Compare(out, Compare.Plan.smokeTest(), output).run(List.of(Duration.ofMillis(15)));
    }
    String printed = bytes.toString(StandardCharsets.UTF_8);
    assertThat(scenarios).hasSize(Compare.HANDLERS.size()); // one delay, every handler
    for (List<Compare.Row> rows : scenarios) {
      assertThat(rows).extracting(Compare.Row::candidate).containsExactlyElementsOf(Compare.CANDIDATES);
      assertThat(rows).allSatisfy(row -> {
        assertThat(row.messagesPerSecond()).isPositive();
        assertThat(row.requestsPerMessage()).isPositive();
        assertThat(row.consumerSideMicros()).isPositive();
        assertThat(row.processMicros()).isPositive();
      });
    }
    assertThat(scenarios.get(0)).allSatisfy(row -> assertThat(row.p99()).isGreaterThanOrEqualTo(row.p50()));
    assertThat(printed).contains("8/8]", "candidate", "plain SDK (baseline)", "x plain", "x uncap");
    assertThat(output.resolve("compare-trials-smoke.csv")).content().hasLineCount(1 + 8);
    assertThat(output.resolve("compare-summary-smoke.csv")).content().hasLineCount(1 + 8);
    assertThat(Files.size(output.resolve("compare-throughput-smoke.png"))).isPositive();
    assertThat(Files.size(output.resolve("compare-cpu-smoke.png"))).isPositive();
  }

}
