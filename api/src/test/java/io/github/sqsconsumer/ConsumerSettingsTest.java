package io.github.sqsconsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;
import io.github.sqsconsumer.spi.Runner;
import io.github.sqsconsumer.spi.RunnerContext;
import io.github.sqsconsumer.spi.RunnerProvider;
import io.github.sqsconsumer.spi.Worker;
import io.github.sqsconsumer.spi.WorkerContext;
import io.github.sqsconsumer.spi.WorkerProvider;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Part settings are checked at build(), by the chosen parts' keys and validate, and fixed from then on. */
@Timeout(30)
final class ConsumerSettingsTest {
  private static final String PROPERTY = "io.github.sqsconsumer.thread.size";

  private final TestParts.ListRunner runner = new TestParts.ListRunner();
  private final AtomicInteger validated = new AtomicInteger();
  private final AtomicInteger sizeAtCreate = new AtomicInteger(-1);
  private final AtomicInteger runnersCreated = new AtomicInteger();
  private final AtomicInteger workersCreated = new AtomicInteger();
  private final AtomicInteger harvestersCreated = new AtomicInteger();
  private Consumer consumer;

  @AfterEach
  void close() {
    System.clearProperty(PROPERTY);
    if (consumer != null) {
      consumer.close();
    }
  }

  /** A runner reading {@code list.delay}, checked in validate as the SPI asks of every part. */
  private RunnerProvider runnerProvider() {
    return new RunnerProvider() {
      @Override
      public String name() {
        return "list";
      }

      @Override
      public Set<String> settingKeys() {
        return Set.of("list.delay");
      }

      @Override
      public void validate(RunnerContext context) {
        context.settings().getDuration("list.delay", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
      }

      @Override
      public Runner create(RunnerContext context) {
        runnersCreated.incrementAndGet();
        return runner;
      }
    };
  }

  /** A worker reading {@code thread.size}, 1 to 4. */
  private WorkerProvider workerProvider() {
    return new WorkerProvider() {
      @Override
      public String name() {
        return "thread";
      }

      @Override
      public Set<String> settingKeys() {
        return Set.of("thread.size");
      }

      @Override
      public void validate(WorkerContext context) {
        validated.incrementAndGet();
        context.settings().getInt("thread.size", 1, 1, 4);
      }

      @Override
      public Worker create(WorkerContext context) {
        workersCreated.incrementAndGet();
        sizeAtCreate.set(context.settings().getInt("thread.size", 1, 1, 4));
        return new TestParts.ThreadWorker(context.concurrency());
      }
    };
  }

  /** A harvester reading {@code direct.attempts}, 1 to 10. */
  private HarvesterProvider harvesterProvider() {
    return new HarvesterProvider() {
      @Override
      public String name() {
        return "direct";
      }

      @Override
      public Set<String> settingKeys() {
        return Set.of("direct.attempts");
      }

      @Override
      public void validate(HarvesterContext context) {
        context.settings().getInt("direct.attempts", 5, 1, 10);
      }

      @Override
      public Harvester create(HarvesterContext context) {
        harvestersCreated.incrementAndGet();
        return new TestParts.DirectHarvester(context);
      }
    };
  }

  private Consumer build(Consumer.Builder builder) {
    consumer = DefaultConsumer.create(builder.validate(), runnerProvider(), workerProvider(),
        harvesterProvider());
    return consumer;
  }

  private static Consumer.Builder builder() {
    return Consumer.builder().queue("orders").handler(m -> {}).concurrency(2).waitTime(Duration.ofSeconds(1));
  }

  @Test
  void build_badWorkerSetting_failsAtBuildAndCreatesNoPart() {
    assertThatThrownBy(() -> build(builder().setting("thread.size", "5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting thread.size must be between 1 and 4 but was 5");
    assertThat(runnersCreated).as("runners created").hasValue(0);
    assertThat(workersCreated).hasValue(0);
    assertThat(harvestersCreated).hasValue(0);
  }

  @Test
  void build_badHarvesterSetting_failsAtBuild() {
    assertThatThrownBy(() -> build(builder().setting("direct.attempts", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting direct.attempts must be between 1 and 10 but was 0");
    assertThat(runnersCreated).hasValue(0);
    assertThat(harvestersCreated).hasValue(0);
  }

  @Test
  void build_badRunnerSetting_failsAtBuild() {
    assertThatThrownBy(() -> build(builder().setting("list.delay", "2s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting list.delay must be between PT0S and PT1S but was PT2S");
    assertThat(runnersCreated).hasValue(0);
  }

  @Test
  void build_badSystemProperty_failsAtBuild() {
    System.setProperty(PROPERTY, "many");
    assertThatThrownBy(() -> build(builder()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("setting thread.size must be an integer between 1 and 4 but was 'many'");
  }

  @Test
  void build_misspelledKey_failsNamingTheKnownOnes() {
    assertThatThrownBy(() -> build(builder().setting("thread.sise", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown setting thread.sise for the worker thread, which reads thread.size");
    assertThat(validated).as("values are checked after the keys").hasValue(0);
  }

  @Test
  void build_keyOfAPartNotChosen_failsNamingTheChosenParts() {
    assertThatThrownBy(() -> build(builder().setting("pool.idleTimeout", "5s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("setting pool.idleTimeout is read by none of the chosen parts (runner list, "
            + "worker thread, harvester direct), which read direct.attempts, list.delay, thread.size; ");
  }

  @Test
  void start_settingsCheckedAtBuild_createReadsTheSameValues() {
    System.setProperty(PROPERTY, "3");
    build(builder());
    System.setProperty(PROPERTY, "not a number"); // too late: the settings were fixed at build()

    consumer.start();

    assertThat(consumer.state()).isEqualTo(Consumer.State.RUNNING);
    assertThat(validated).hasValue(1);
    assertThat(sizeAtCreate).hasValue(3);
  }
}
