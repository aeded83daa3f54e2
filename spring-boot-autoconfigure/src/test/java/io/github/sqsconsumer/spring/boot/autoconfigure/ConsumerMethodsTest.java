package io.github.sqsconsumer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spring.boot.SqsConsumer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqExtension;
import io.github.sqsconsumer.testkit.elasticmq.ElasticMqServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.scheduling.annotation.Async;

/**
 * Which beans' {@link SqsConsumer} methods get a consumer, and how their parameters are read: found by an
 * audit as a Spring user would write them (a generic base class, a JDK proxy, a prototype, {@code @Async}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class ConsumerMethodsTest {
  @RegisterExtension
  static final ElasticMqExtension SQS = ElasticMqExtension.shared();

  private final ElasticMqServer sqs;
  private final ApplicationContextRunner runner;

  ConsumerMethodsTest(ElasticMqServer sqs) {
    this.sqs = sqs;
    this.runner = StarterTests.runner(sqs, SqsConsumerAutoConfiguration.class);
  }

  /** Regression: T of a generic base class was not resolved against the bean's class: startup failed. */
  @Test
  void methodOfAGenericBaseClass_payloadTypeFromTheBeanClass() {
    String queue = newQueue();
    runner.withUserConfiguration(OrderHandler.class).withPropertyValues("test.queue=" + queue).run(context -> {
      assertThat(context).hasNotFailed();
      sqs.sendMessage(StarterTests.url(sqs, queue), "{\"id\":\"o-1\",\"quantity\":2}");
      OrderHandler handler = context.getBean(OrderHandler.class);
      StarterTests.await(() -> handler.received.size() == 1);
      assertThat(handler.received).containsExactly(new Order("o-1", 2));
    });
  }

  /** Regression: a JDK proxy's class ({@code jdk.proxy2.$Proxy55}) named the method in startup errors. */
  @Test
  void badMethodBehindAJdkProxy_errorNamesTheUsersClass() {
    runner.withUserConfiguration(JdkProxied.class).withPropertyValues("test.queue=" + newQueue())
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("@SqsConsumer method " + ReturningImpl.class.getName() + ".on returns String"));
  }

  /**
   * Regression: every instance of a prototype was held for good and, injected somewhere, got a consumer
   * (two such: startup failed naming the same method twice). Prototypes get none, with one warning.
   */
  @Test
  void prototypeBean_noConsumer_noInstanceHeld() {
    runner.withUserConfiguration(Prototype.class, TwoUsers.class).withPropertyValues("test.queue=" + newQueue())
        .run(context -> {
          assertThat(context).hasNotFailed();
          for (int i = 0; i < 100; i++) {
            context.getBean(PrototypeHandler.class);
          }
          assertThat(context.getBean(SqsConsumers.class).consumers()).isEmpty();
          assertThat(context.getBean(ConsumerMethods.class).found()).isEmpty();
        });
  }

  /** Regression: an {@code @Async} handler returned at once, so every message was deleted, even a failed one. */
  @Test
  void asyncHandler_failsStartup() {
    runner.withUserConfiguration(AsyncHandler.class).withPropertyValues("test.queue=" + newQueue())
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("@SqsConsumer method " + AsyncHandler.class.getName() + ".on runs @Async"));
  }

  private String newQueue() {
    return StarterTests.newQueue(sqs);
  }

  record Order(String id, int quantity) {}

  abstract static class TypedHandler<T> {
    final List<T> received = new CopyOnWriteArrayList<>();

    @SqsConsumer("${test.queue}")
    void on(T payload) {
      received.add(payload);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OrderHandler extends TypedHandler<Order> {}

  interface Returning {
    @SqsConsumer("${test.queue}")
    String on(Message message);
  }

  static class ReturningImpl implements Returning {
    @Override
    public String on(Message message) {
      return "done";
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class JdkProxied {
    @Bean
    Returning returning() {
      ProxyFactory proxies = new ProxyFactory(new ReturningImpl());
      proxies.setInterfaces(Returning.class);
      return (Returning) proxies.getProxy();
    }
  }

  static class PrototypeHandler {
    @SqsConsumer("${test.queue}")
    void on(Message message) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class Prototype {
    @Bean
    @Scope("prototype")
    PrototypeHandler prototypeHandler() {
      return new PrototypeHandler();
    }
  }

  /** Two singletons that each take a prototype: two instances at startup. */
  @Configuration(proxyBeanMethods = false)
  static class TwoUsers {
    @Bean
    Object firstUser(PrototypeHandler handler) {
      return List.of(handler);
    }

    @Bean
    Object secondUser(PrototypeHandler handler) {
      return List.of(handler);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class AsyncHandler {
    @Async
    @SqsConsumer("${test.queue}")
    void on(Message message) {}
  }
}
