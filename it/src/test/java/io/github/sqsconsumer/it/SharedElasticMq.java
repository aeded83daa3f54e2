package io.github.sqsconsumer.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands test classes one embedded ElasticMQ server for the whole run, as an {@link SqsFixture} parameter
 * (of a {@code @BeforeAll} method, say): starting Pekko and ElasticMQ costs seconds, and tests share it
 * safely because each makes its own queues. JUnit closes it after the last test (an AutoCloseable in the
 * root store).
 */
final class SharedElasticMq implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedElasticMq.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SqsFixture.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("elasticmq", key -> SqsFixture.elasticMq(), SqsFixture.class);
  }
}
