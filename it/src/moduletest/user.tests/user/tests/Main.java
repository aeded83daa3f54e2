package user.tests;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.testkit.InMemoryQueue;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Consumes an in-memory queue with the worker and harvester found on the module path, then runs this
 * module's runner contract test with JUnit's launcher. Prints lines starting with {@code USERAPP}.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.out.println("USERAPP module " + Main.class.getModule().getName() + "; testkit module "
        + InMemoryQueue.class.getModule().getName() + " named " + InMemoryQueue.class.getModule().isNamed());

    InMemoryQueue queue = InMemoryQueue.standard("orders", Duration.ofSeconds(30));
    for (int i = 0; i < 10; i++) {
      queue.send("order-" + i);
    }
    Set<String> handled = ConcurrentHashMap.newKeySet();
    try (Consumer consumer = Consumer.builder().queue("orders").runner(queue.runner())
        .waitTime(Duration.ofMillis(200)).handler(message -> handled.add(message.body())).build()) {
      consumer.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!queue.isEmpty() && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
    }
    System.out.println("USERAPP consumed " + handled.size() + ", queue empty " + queue.isEmpty());

    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(MemoryRunnerContractTest.class)).build(), listener);
    TestExecutionSummary summary = listener.getSummary();
    summary.getFailures().forEach(f -> f.getException().printStackTrace());
    System.out.println("USERAPP contract tests found " + summary.getTestsFoundCount() + ", succeeded "
        + summary.getTestsSucceededCount() + ", failed " + summary.getTotalFailureCount());
  }
}
