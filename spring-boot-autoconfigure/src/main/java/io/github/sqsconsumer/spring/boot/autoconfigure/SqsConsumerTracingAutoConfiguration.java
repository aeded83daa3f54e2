package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.opentelemetry.ConsumerTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

/**
 * Auto-configuration of every consumer's OpenTelemetry tracing ({@link ConsumerTracing}: a consumer span per
 * handler call, its parent taken from the message) when {@code sqs-consumer-opentelemetry} is on the class
 * path and the application has an {@link OpenTelemetry} bean.
 *
 * <p>Created by Spring Boot; not for direct use.
 */
@AutoConfiguration(
    afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass({ConsumerTracing.class, OpenTelemetry.class})
@ConditionalOnBean(OpenTelemetry.class)
public final class SqsConsumerTracingAutoConfiguration {

  /** Created by Spring Boot. */
  public SqsConsumerTracingAutoConfiguration() {}

  /** The outermost hook: the span covers the metrics' timing and the handler. */
  @Bean
  @Order(10)
  Instrumentation sqsConsumerTracing(OpenTelemetry openTelemetry) {
    return (name, builder) -> {
      ConsumerTracing.installOn(builder, openTelemetry);
      return Instrumentation.Built.NOTHING;
    };
  }
}
