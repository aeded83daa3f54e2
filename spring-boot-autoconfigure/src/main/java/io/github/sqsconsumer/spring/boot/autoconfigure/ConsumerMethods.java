package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.spring.boot.SqsConsumer;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Finds the {@link SqsConsumer} methods of the beans as they are initialized, with their queue's
 * placeholders resolved; the {@link ConsumerContainer} builds their consumers once every singleton is ready.
 *
 * <p>Thread-safe: beans may be initialized on several threads (background bootstrap), so the list is
 * guarded by this object's lock.
 */
final class ConsumerMethods implements BeanPostProcessor {
  private final ConfigurableBeanFactory beanFactory;
  private final List<Found> found = new ArrayList<>(); // guarded by this

  ConsumerMethods(ConfigurableBeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /** One annotated method: the consumer's name (empty for the default), its queue, and the method. */
  record Found(String name, String queue, HandlerMethod handler) {}

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    if (!AnnotationUtils.isCandidateClass(type, SqsConsumer.class)) {
      return bean;
    }
    Map<Method, SqsConsumer> methods = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<SqsConsumer>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, SqsConsumer.class));
    for (Map.Entry<Method, SqsConsumer> entry : methods.entrySet()) {
      Method invocable = AopUtils.selectInvocableMethod(entry.getKey(), bean.getClass());
      SqsConsumer annotation = entry.getValue();
      String queue = beanFactory.resolveEmbeddedValue(annotation.queue());
      String name = beanFactory.resolveEmbeddedValue(annotation.name());
      synchronized (this) {
        found.add(new Found(name == null ? "" : name, queue == null ? "" : queue,
            new HandlerMethod(bean, invocable)));
      }
    }
    return bean;
  }

  /** Returns the methods found so far, in the order their beans were initialized. */
  synchronized List<Found> found() {
    return List.copyOf(found);
  }

}
