package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spring.boot.SqsConsumer;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Regression: a {@link SmartLifecycle} resource a handler uses, at the default phase (the latest), started
 * after the consumers and stopped before them: handlers draining at shutdown found it stopped. The
 * container depends on the handlers' beans and what they use, and its stop waits for the handlers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ContainerLifecycleTest {
  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private final ElasticMqServer sqs;
  private final ApplicationContextRunner runner;

  ContainerLifecycleTest(ElasticMqServer sqs) {
    this.sqs = sqs;
    this.runner = StarterTests.runner(sqs, SqsConsumerAutoConfiguration.class);
  }

  @Test
  void resourceAtTheDefaultPhase_startsBeforeAndStopsAfterTheConsumers() {
    String queue = StarterTests.newQueue(sqs);
    runner.withUserConfiguration(Resources.class).withPropertyValues("test.queue=" + queue).run(context -> {
      assertThat(context).hasNotFailed();
      Resource resource = context.getBean(Resource.class);
      sqs.sendMessage(StarterTests.url(sqs, queue), "slow");
      assertThat(context.getBean(SlowHandler.class).started.await(30, TimeUnit.SECONDS)).isTrue();

      context.stop(); // what closing the context does first

      assertThat(resource.events).containsExactly("resource started", "handler started, resource running",
          "handler ended, resource running", "resource stopped");
    });
  }

  /** A resource with a lifecycle at the default phase, such as a connection pool that starts and stops. */
  static final class Resource implements SmartLifecycle {
    final List<String> events = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    @Override
    public void start() {
      events.add("resource started");
      running = true;
    }

    @Override
    public void stop() {
      events.add("resource stopped");
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }
  }

  /** A plain bean that uses the resource: the dependency is only visible through it. */
  static final class SlowHandler {
    final CountDownLatch started = new CountDownLatch(1);
    private final Resource resource;

    SlowHandler(Resource resource) {
      this.resource = resource;
    }

    @SqsConsumer("${test.queue}")
    void on(Message message) throws InterruptedException {
      resource.events.add("handler started, resource " + (resource.isRunning() ? "running" : "stopped"));
      started.countDown();
      Thread.sleep(1_000);
      resource.events.add("handler ended, resource " + (resource.isRunning() ? "running" : "stopped"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Resources {
    @Bean
    Resource resource() {
      return new Resource();
    }

    @Bean
    SlowHandler slowHandler(Resource resource) {
      return new SlowHandler(resource);
    }
  }
}
