package io.github.sqsconsumer.it;

import static io.github.sqsconsumer.it.ModulePathLauncher.jar;
import static io.github.sqsconsumer.it.ModulePathLauncher.launch;
import static io.github.sqsconsumer.it.ModulePathLauncher.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.it.ModulePathLauncher.Run;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-memory testkit as a user's tests see it on the module path: a user test module ({@code
 * src/moduletest/user.tests}) that requires {@code io.github.sqsconsumer.testkit}, consumes an in-memory
 * queue through {@code runner(queue.runner())} with the worker and harvester bound as services, and runs
 * its own subclass of the testkit's RunnerContractTest with JUnit's launcher, everything on the module
 * path.
 */
final class TestkitModulePathTest {
  /** JUnit's and AssertJ's jars, which the testkit module requires. */
  private static final List<String> TEST_LIBRARIES = List.of("/junit-jupiter-api/", "/junit-jupiter-engine/",
      "/junit-platform-commons/", "/junit-platform-engine/", "/junit-platform-launcher/", "/opentest4j/",
      "/apiguardian-api/", "/assertj-core/");

  @TempDir
  Path work;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void modulePath_userTestModuleWithTheInMemoryTestkit() throws Exception {
    List<Path> libraries = new ArrayList<>(List.of(jar("testkit")));
    libraries.addAll(ModulePathLauncher.testClassPath(TEST_LIBRARIES));
    Path userTests = ModulePathLauncher.compile("user.tests", work.resolve("user.tests"), libraries);
    List<Path> modulePath = new ArrayList<>(libraries);
    modulePath.addAll(List.of(jar("api"), jar("worker-semaphore"), jar("harvester-batch"), userTests));
    modulePath.addAll(ModulePathLauncher.testClassPath(List.of("/org/slf4j/")));

    Run run = launch(List.of("--module-path", path(modulePath)), List.of("-m", "user.tests/user.tests.Main"), work);

    assertThat(run.status()).as("%s", run).isZero();
    assertThat(run.app()).as("%s", run).containsExactly(
        "module user.tests; testkit module io.github.sqsconsumer.testkit named true",
        "consumed 10, queue empty true",
        "contract tests found 10, succeeded 10, failed 0");
  }
}
