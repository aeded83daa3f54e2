package io.github.sqsconsumer.testkit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.QueueException;
import io.github.sqsconsumer.spi.QueueInfo;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.Settings;
import io.github.sqsconsumer.spi.VisibilityChange;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code memory} runner over an {@link InMemoryQueue}: no service, open, delegation. */
final class InMemoryQueueRunnerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * Regression: testkit registered the memory runner as a service, so a consumer naming no runner failed
   * with "several runners found" as soon as testkit sat next to runner-sqs. It is handed over explicitly.
   */
  @Test
  void memoryRunner_isNoService() {
    // the tests run on the class path: the descriptor is read from the compiled module
    ModuleDescriptor descriptor = ModuleFinder.of(Path.of("target/classes")).find("io.github.sqsconsumer.testkit")
        .orElseThrow().descriptor();
    assertThat(descriptor.provides()).isEmpty();
    assertThat(Path.of("target/classes/META-INF/services", RunnerProvider.class.getName())).doesNotExist();
  }

  @Test
  void runner_namedMemory_boundToItsQueue() {
    InMemoryQueue queue = InMemoryQueue.standard("orders", TIMEOUT);

    assertThat(queue.runner().name()).isEqualTo("memory");
    assertThat(queue.runner().settingKeys()).isEmpty();
    assertThat(queue.runner()).hasToString("InMemoryRunnerProvider[orders]");
  }

  @Test
  void open_reportsQueueFacts() {
    InMemoryQueue queue = InMemoryQueue.fifo("orders.fifo", TIMEOUT);
    try (Runner runner = queue.runner().create(context("orders.fifo"))) {
      assertThat(runner.open()).isEqualTo(new QueueInfo("memory://orders.fifo", true, TIMEOUT));
    }
    try (Runner runner = queue.runner().create(context("memory://orders.fifo"))) {
      assertThat(runner.open().url()).isEqualTo("memory://orders.fifo");
    }
  }

  @Test
  void open_otherQueueName_failsFatalAsMissingQueue() {
    InMemoryQueue queue = InMemoryQueue.standard("orders", TIMEOUT);
    Runner runner = queue.runner().create(context("invoices"));

    assertThatThrownBy(runner::open)
        .isInstanceOfSatisfying(QueueException.class, e -> assertThat(e.kind()).isEqualTo(QueueException.Kind.FATAL))
        .hasMessage("queue 'invoices' does not exist: the in-memory queue given to the consumer is named 'orders'");
  }

  @Test
  void calls_goToTheQueue_andAreCounted() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", TIMEOUT);
    for (int i = 0; i < 4; i++) {
      queue.send("m" + i);
    }
    Runner runner = queue.runner().create(context("orders"));
    runner.open();

    List<Message> got = runner.receive(10, Duration.ofSeconds(1), TIMEOUT).get(5, SECONDS);
    assertThat(got).hasSize(4);
    assertThat(runner.deleteBatch(List.of(got.get(0), got.get(0))).get(5, SECONDS).allSucceeded()).isTrue();
    runner.delete(got.get(1)).get(5, SECONDS);
    runner.changeVisibility(got.get(2), Duration.ZERO).get(5, SECONDS);
    assertThat(runner.changeVisibilityBatch(List.of(new VisibilityChange(got.get(3), Duration.ofMinutes(1)),
        new VisibilityChange(got.get(1), Duration.ZERO))).get(5, SECONDS).failures()).containsOnlyKeys(1);

    assertThat(queue.receiveRequests()).isEqualTo(1);
    assertThat(queue.deleteBatchRequests()).isEqualTo(1);
    assertThat(queue.deleteRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityRequests()).isEqualTo(1);
    assertThat(queue.changeVisibilityBatchRequests()).isEqualTo(1);
    assertThat(queue.visibleCount()).isEqualTo(1);
    assertThat(queue.inFlightCount()).isEqualTo(1);

    runner.close();
    assertThat(queue.receive(10, Duration.ZERO).get(5, SECONDS)).hasSize(1); // the queue outlives the runner
  }

  @Test
  void receive_cancel_withdrawsLongPoll() throws Exception {
    InMemoryQueue queue = InMemoryQueue.standard("orders", TIMEOUT);
    Runner runner = queue.runner().create(context("orders"));
    var poll = runner.receive(10, Duration.ofSeconds(20), TIMEOUT);

    assertThat(poll.cancel(true)).isTrue();
    queue.send("a");

    assertThat(queue.visibleCount()).isEqualTo(1);
  }

  private static RunnerContext context(String queueName) {
    return new RunnerContext() {
      @Override
      public String queue() {
        return queueName;
      }

      @Override
      public String consumerName() {
        return "test";
      }

      @Override
      public Settings settings() {
        return new NoSettings();
      }

      @Override
      public <T> Optional<T> component(Class<T> type) {
        return Optional.empty();
      }
    };
  }

  /** Settings with nothing set: every getter returns its default. */
  private static final class NoSettings implements Settings {
    @Override
    public Optional<String> get(String key) {
      return Optional.empty();
    }

    @Override
    public int getInt(String key, int defaultValue, int min, int max) {
      return defaultValue;
    }

    @Override
    public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max) {
      return defaultValue;
    }

    @Override
    public boolean getBoolean(String key, boolean defaultValue) {
      return defaultValue;
    }
  }
}
