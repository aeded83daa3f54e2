package io.github.sqsconsumer.it;

import static io.github.sqsconsumer.it.ModulePathLauncher.base;
import static io.github.sqsconsumer.it.ModulePathLauncher.jar;
import static io.github.sqsconsumer.it.ModulePathLauncher.launch;
import static io.github.sqsconsumer.it.ModulePathLauncher.path;
import static io.github.sqsconsumer.it.ModulePathLauncher.sqsProperties;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.it.ModulePathLauncher.Run;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The library as a user runs it: new JVMs with the jars on the module path (or the class path) and a user
 * module that {@code requires io.github.sqsconsumer} only. The runner, worker and harvester modules are
 * not named anywhere (no {@code requires}, no {@code --add-modules}): the launcher's service binding
 * resolves them because the api module {@code uses} their services. ElasticMQ runs in this JVM (its Scala
 * jars cannot go on a module path); the child reaches it through the {@code sqs.endpoint} system property.
 */
final class ModulePathTest {
  private static final int MESSAGES = 20;
  private static final String USER_MAIN = "user.app/user.app.Main";
  private static final AtomicInteger QUEUES = new AtomicInteger();

  @TempDir
  static Path work;
  private static ElasticMqServer sqs;
  private static Path userApp;
  private static Path userHarvester;

  @BeforeAll
  static void setUp() throws IOException {
    sqs = new ElasticMqServer().start();
    userApp = ModulePathLauncher.compile("user.app", work.resolve("user.app"));
    userHarvester = ModulePathLauncher.jarOf(
        ModulePathLauncher.compile("user.harvester", work.resolve("user.harvester")),
        work.resolve("user-harvester.jar"));
  }

  @AfterAll
  static void tearDown() {
    if (sqs != null) {
      sqs.close();
    }
  }

  /** One worker jar and one harvester jar on the module path: found, chosen without a name, and used. */
  @ParameterizedTest
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void modulePath_oneWorkerOneHarvester(Combination parts) throws Exception {
    String queue = queueWithMessages();
    List<Path> modulePath = new ArrayList<>(base());
    modulePath.add(jar("worker-" + parts.worker()));
    modulePath.add(jar("harvester-" + parts.harvester()));
    modulePath.add(userApp);

    Run run = launch(modulePathOptions(modulePath), List.of("-m", USER_MAIN, consume("-", "-", queue)), work);

    assertThat(run.status()).as("%s", run).isZero();
    assertThat(run.app()).as("%s", run).contains(
        "module user.app; boot layer: [io.github.sqsconsumer io.github.sqsconsumer.harvester." + parts.harvester()
            + " io.github.sqsconsumer.runner.sqs io.github.sqsconsumer.worker." + parts.worker() + " user.app]",
        "consumed 20 of 20, failures 0, acknowledged 20, Consumer[user-app, TERMINATED]");
    assertThat(run.output()).as("%s", run).contains(startedLine(queue, parts.worker(), parts.harvester()));
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  /**
   * One worker jar and one harvester jar on the class path, no name chosen anywhere: found through their
   * {@code META-INF/services} entries (the class path has no module descriptors to read), chosen as the only
   * ones, and used.
   */
  @ParameterizedTest
  @MethodSource("io.github.sqsconsumer.it.Combination#all")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void classPath_oneWorkerOneHarvester(Combination parts) throws Exception {
    String queue = queueWithMessages();
    List<Path> classPath = new ArrayList<>(base());
    classPath.add(jar("worker-" + parts.worker()));
    classPath.add(jar("harvester-" + parts.harvester()));
    classPath.add(userApp);
    List<String> options = new ArrayList<>(List.of("-cp", path(classPath)));
    options.addAll(sqsProperties(sqs.endpoint().toString(), "it", "it"));

    Run run = launch(options, List.of("user.app.Main", consume("-", "-", queue)), work);

    assertThat(run.status()).as("%s", run).isZero();
    assertThat(run.app()).as("%s", run).containsExactly(
        "module unnamed; boot layer: []",
        "built Consumer[user-app, NEW]",
        "started Consumer[user-app, RUNNING]",
        "consumed 20 of 20, failures 0, acknowledged 20, Consumer[user-app, TERMINATED]",
        "exit 0");
    assertThat(run.output()).as("%s", run).contains(startedLine(queue, parts.worker(), parts.harvester()));
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  /**
   * All jars on the class path, every combination in one JVM: the first chosen by the system properties
   * {@code io.github.sqsconsumer.worker} and {@code .harvester} (as a deployment would), the others by name
   * in code, which wins over the properties.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void classPath_everyCombinationByName() throws Exception {
    List<Path> classPath = new ArrayList<>(base());
    ModulePathLauncher.MODULES.stream().filter(m -> m.startsWith("worker") || m.startsWith("harvester"))
        .map(ModulePathLauncher::jar).forEach(classPath::add);
    classPath.add(userApp);
    List<Combination> all = Combination.all().toList();
    List<String> queues = new ArrayList<>();
    List<String> args = new ArrayList<>(List.of("user.app.Main"));
    for (Combination parts : all) {
      String queue = queueWithMessages();
      queues.add(queue);
      boolean byProperty = queues.size() == 1;
      args.add(consume(byProperty ? "-" : parts.worker(), byProperty ? "-" : parts.harvester(), queue));
    }
    List<String> options = new ArrayList<>(List.of("-cp", path(classPath),
        "-Dio.github.sqsconsumer.worker=" + all.get(0).worker(),
        "-Dio.github.sqsconsumer.harvester=" + all.get(0).harvester()));
    options.addAll(sqsProperties(sqs.endpoint().toString(), "it", "it"));

    Run run = launch(options, args, work);

    assertThat(run.status()).as("%s", run).isZero();
    assertThat(run.app()).as("%s", run).startsWith("module unnamed; boot layer: []");
    for (int i = 0; i < all.size(); i++) {
      assertThat(run.output()).as("%s", run)
          .contains(startedLine(queues.get(i), all.get(i).worker(), all.get(i).harvester()));
      assertThat(sqs.approximateMessages(queues.get(i))).isZero();
    }
    assertThat(run.app()).filteredOn(l -> l.startsWith("consumed "))
        .containsOnly("consumed 20 of 20, failures 0, acknowledged 20, Consumer[user-app, TERMINATED]")
        .hasSize(4);
  }

  /**
   * A user's own harvester module, declared only with {@code provides} in its module-info (its jar has no
   * META-INF/services), is found and used with no change to the library.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void modulePath_usersOwnHarvester() throws Exception {
    try (JarFile jar = new JarFile(userHarvester.toFile())) {
      assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("META-INF/services"))).isEmpty();
    }
    String queue = queueWithMessages();
    List<Path> modulePath = new ArrayList<>(base());
    modulePath.add(jar("worker-pool"));
    modulePath.add(userHarvester);
    modulePath.add(userApp);

    Run run = launch(modulePathOptions(modulePath), List.of("-m", USER_MAIN, consume("-", "-", queue)), work);

    assertThat(run.status()).as("%s", run).isZero();
    assertThat(run.app()).as("%s", run).contains(
        "module user.app; boot layer: [io.github.sqsconsumer io.github.sqsconsumer.runner.sqs"
            + " io.github.sqsconsumer.worker.pool user.app user.harvester]",
        "consumed 20 of 20, failures 0, acknowledged 20, Consumer[user-app, TERMINATED]");
    assertThat(run.output()).as("%s", run)
        .contains(startedLine(queue, "pool", "recording"))
        .contains("RECORDING deleted 20, released 0, failed 0");
    assertThat(sqs.approximateMessages(queue)).isZero();
  }

  /** No worker on the module path: build() says which artifacts to add. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void modulePath_noWorker() throws Exception {
    List<Path> modulePath = new ArrayList<>(base());
    modulePath.add(jar("harvester-batch"));
    modulePath.add(userApp);

    Run run = launch(modulePathOptions(modulePath), List.of("-m", USER_MAIN, "build,-,-"), work);

    assertThat(run.app()).as("%s", run).contains(
        "error: no worker found on the module path or class path; add sqs-consumer-worker-semaphore or "
            + "sqs-consumer-worker-pool",
        "exit 2");
    assertThat(run.status()).isEqualTo(2);
  }

  /** Two workers: without a name build() lists them and says how to choose; an unknown name lists them too. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void modulePath_twoWorkers() throws Exception {
    List<Path> modulePath = new ArrayList<>(base());
    modulePath.add(jar("worker-semaphore"));
    modulePath.add(jar("worker-pool"));
    modulePath.add(jar("harvester-batch"));
    modulePath.add(userApp);

    Run run = launch(modulePathOptions(modulePath), List.of("-m", USER_MAIN, "build,-,-", "build,fast,-",
        "build,pool,-"), work);

    String found = "pool (io.github.sqsconsumer.worker.pool.PoolWorkerProvider), "
        + "semaphore (io.github.sqsconsumer.worker.semaphore.SemaphoreWorkerProvider)";
    assertThat(run.app()).as("%s", run).containsSubsequence(
        "error: several workers found: " + found + "; choose one with Consumer.Builder.worker(name) or the "
            + "system property io.github.sqsconsumer.worker",
        "error: no worker named 'fast'; found: " + found,
        "built Consumer[user-app, NEW]",
        "exit 2");
  }

  private static List<String> modulePathOptions(List<Path> modulePath) {
    List<String> options = new ArrayList<>(List.of("--module-path", path(modulePath)));
    options.addAll(sqsProperties(sqs.endpoint().toString(), "it", "it"));
    return options;
  }

  private static String consume(String worker, String harvester, String queue) {
    return String.join(",", "consume", worker, harvester, queue, String.valueOf(MESSAGES));
  }

  private static String startedLine(String queue, String worker, String harvester) {
    return "INFO io.github.sqsconsumer.DefaultConsumer - user-app started on " + queue + " (standard, worker "
        + worker + ", harvester " + harvester + ", concurrency 4)";
  }

  private static String queueWithMessages() {
    String queue = sqs.createQueue("module-path-" + QUEUES.incrementAndGet());
    for (int i = 0; i < MESSAGES; i++) {
      sqs.sendMessage(queue, "message " + i);
    }
    return queue;
  }
}
