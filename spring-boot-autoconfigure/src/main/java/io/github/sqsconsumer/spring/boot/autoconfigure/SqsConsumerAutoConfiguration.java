package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.spring.boot.SqsConsumerCustomizer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * Auto-configuration of sqs-consumer: the {@link io.github.sqsconsumer.spring.boot.SqsConsumer} methods and
 * the consumers declared under {@code sqs-consumer.consumers} become consumers in {@link SqsConsumers}, which
 * start with the context and close gracefully at its shutdown. Without any, nothing is built or started.
 *
 * <p>An {@code SqsAsyncClient} bean, when the application has one (for example from Spring Cloud AWS, whose
 * auto-configuration runs first), is handed to every consumer; otherwise each consumer's SQS runner builds its
 * own from the AWS default chains and the {@code sqs-consumer.*.sqs.*} properties.
 *
 * <p>Created by Spring Boot; not for direct use.
 */
@AutoConfiguration(afterName = "io.awspring.cloud.autoconfigure.sqs.SqsAutoConfiguration")
@ConditionalOnClass(Consumer.class)
@EnableConfigurationProperties(SqsConsumerProperties.class)
public final class SqsConsumerAutoConfiguration {
  private static final String JSON_CLASS = "io.github.sqsconsumer.jackson.Json";
  /** Boot's own default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
  private static final Duration DEFAULT_SHUTDOWN_PHASE = Duration.ofSeconds(30);

  /** Created by Spring Boot. */
  public SqsConsumerAutoConfiguration() {}

  @Bean
  static ConsumerMethods sqsConsumerMethods(ConfigurableListableBeanFactory beanFactory) {
    return new ConsumerMethods(beanFactory);
  }

  @Bean
  @ConditionalOnMissingBean(SqsConsumers.class)
  ConsumerContainer sqsConsumers(SqsConsumerProperties properties, ConsumerMethods methods,
      ConfigurableListableBeanFactory beanFactory, ObjectProvider<Instrumentation> instrumentations,
      ObjectProvider<SqsConsumerCustomizer> customizers, Environment environment) {
    Supplier<Object> jsonMapper = ClassUtils.isPresent(JSON_CLASS, SqsConsumerAutoConfiguration.class.getClassLoader())
        ? () -> JsonHandlers.mapper(beanFactory) : () -> null;
    Duration shutdownPhase = Binder.get(environment)
        .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).orElse(DEFAULT_SHUTDOWN_PHASE);
    return new ConsumerContainer(properties, methods, beanFactory, instrumentations, customizers, jsonMapper,
        shutdownPhase);
  }

  /** Hands the application's {@code SqsAsyncClient} to every consumer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(SqsAsyncClient.class)
  @ConditionalOnBean(SqsAsyncClient.class)
  static class SqsClientConfiguration {

    /**
     * Several client beans and none {@code @Primary} fail startup: handing none of them over would leave the
     * runner to build a client of its own from the AWS default chains, one the application never set up.
     */
    @Bean
    @Order(0)
    Instrumentation sqsConsumerClient(ObjectProvider<SqsAsyncClient> clients) {
      return (name, builder) -> {
        SqsAsyncClient client;
        try {
          client = clients.getIfAvailable();
        } catch (NoUniqueBeanDefinitionException e) {
          throw new IllegalStateException("consumer '" + name + "': the application has "
              + e.getNumberOfBeansFound() + " SqsAsyncClient beans " + e.getBeanNamesFound()
              + " and none is @Primary; mark the one the consumers use @Primary", e);
        }
        if (client != null) {
          builder.component(SqsAsyncClient.class, client);
        }
        return Instrumentation.Built.NOTHING;
      };
    }
  }
}
