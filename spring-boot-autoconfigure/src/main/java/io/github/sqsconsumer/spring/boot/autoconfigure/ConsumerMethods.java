package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.spring.boot.SqsConsumer;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link SqsConsumer} methods of the singleton beans as they are initialized, with their queue's
 * placeholders resolved; the {@link ConsumerContainer} builds their consumers once every singleton is ready
 * and then {@linkplain #found() takes} the list. A bean initialized after that (a lazy one), or one that is
 * not a singleton (a prototype, a scoped bean's target: one consumer per instance would consume the queue
 * once per {@code getBean}, and each instance would be held for good), gets no consumer, and a warning
 * says so. A method marked {@code @Async} fails startup: its call returns before it ran, so the message
 * would be deleted whatever became of it.
 *
 * <p>Thread-safe: beans may be initialized on several threads (background bootstrap), so the list is
 * guarded by this object's lock.
 */
final class ConsumerMethods implements BeanPostProcessor {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerMethods.class);

  private final ConfigurableListableBeanFactory beanFactory;
  private final List<Found> found = new ArrayList<>(); // guarded by this
  private boolean taken; // guarded by this: the container took the list
  private final Set<String> warned = new HashSet<>(); // guarded by this: bean names told of, once each

  ConsumerMethods(ConfigurableListableBeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  /**
   * One annotated method: the consumer's name (empty for the default), its queue, the method, and the name
   * of the bean it belongs to.
   */
  record Found(String name, String queue, HandlerMethod handler, String beanName) {}

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = ClassUtils.getUserClass(AopUtils.getTargetClass(bean)); // behind a JDK or CGLIB proxy
    if (!AnnotationUtils.isCandidateClass(type, SqsConsumer.class)) {
      return bean;
    }
    Map<Method, SqsConsumer> methods = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<SqsConsumer>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, SqsConsumer.class));
    if (methods.isEmpty()) {
      return bean;
    }
    String notFound = !isSingleton(beanName) ? "it is not a singleton (prototype or scoped)" : null;
    List<Found> ofBean = new ArrayList<>();
    for (Map.Entry<Method, SqsConsumer> entry : methods.entrySet()) {
      Method method = entry.getKey();
      if (AnnotatedElementUtils.hasAnnotation(method, Async.class)
          || AnnotatedElementUtils.hasAnnotation(type, Async.class)) {
        throw new IllegalStateException("@SqsConsumer method " + type.getName() + "." + method.getName()
            + " runs @Async: its call would return before it ran, and the message would be deleted whatever "
            + "became of it; remove @Async (the consumer runs handlers concurrently itself)");
      }
      if (notFound != null) {
        continue;
      }
      Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
      SqsConsumer annotation = entry.getValue();
      String queue = beanFactory.resolveEmbeddedValue(annotation.queue());
      String name = beanFactory.resolveEmbeddedValue(annotation.name());
      ofBean.add(new Found(name == null ? "" : name, queue == null ? "" : queue,
          new HandlerMethod(bean, invocable, type), beanName));
    }
    synchronized (this) {
      if (notFound == null && taken) {
        notFound = "it was created after startup (a lazy bean)";
      }
      if (notFound == null) {
        found.addAll(ofBean);
        return bean;
      }
      if (!warned.add(beanName)) {
        return bean; // a prototype's every instance: said once
      }
    }
    LOG.warn("bean '{}' ({}) has @SqsConsumer methods but gets no consumer: {}; consumers are made for the "
        + "singleton beans created at startup", beanName, type.getName(), notFound);
    return bean;
  }

  /** A bean without a definition of its own (registered as an object) counts as a singleton. */
  private boolean isSingleton(String beanName) {
    return !beanFactory.containsBeanDefinition(beanName)
        || beanFactory.getMergedBeanDefinition(beanName).isSingleton();
  }

  /**
   * Returns the methods found, in the order their beans were initialized, for the container to build their
   * consumers; a bean initialized afterwards gets none (see the class comment).
   */
  synchronized List<Found> found() {
    taken = true;
    return List.copyOf(found);
  }

}
