package io.github.sqsconsumer.spring.boot.autoconfigure;

import io.github.sqsconsumer.BatchHandler;
import io.github.sqsconsumer.Consumer;
import io.github.sqsconsumer.ConsumerException;
import io.github.sqsconsumer.MessageHandler;
import io.github.sqsconsumer.spring.boot.SqsConsumerCustomizer;
import io.github.sqsconsumer.spring.boot.SqsConsumers;
import io.github.sqsconsumer.spring.boot.autoconfigure.SqsConsumerProperties.ConsumerProperties;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanNameAware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ApplicationContextException;
import org.springframework.context.SmartLifecycle;

/**
 * The application's consumers: built once every singleton is ready, started in the context's lifecycle,
 * closed gracefully at its shutdown.
 *
 * <p>Lifecycle: {@link #PHASE} is late, so the consumers start after the web server and whatever else starts
 * in an earlier phase, and stop before them: a rolling deploy stops taking messages first, then lets running
 * handlers finish within their shutdown timeout (which {@link ConsumerSettingsApplier} fits into
 * {@code spring.lifecycle.timeout-per-shutdown-phase}), sends the last acknowledgements and makes every
 * received, unstarted message visible again. A consumer that cannot start fails the refresh with its
 * builder's message, after the consumers started before it are closed; unless it is not required, when it
 * stays {@link Consumer.State#FAILED} and its health says why.
 *
 * <p>Beside the phase, the container depends on the handlers' beans and on what they depend on, as Spring
 * registers dependencies: a {@link org.springframework.context.Lifecycle} bean a handler uses (at whatever
 * phase) starts before the consumers and stops after they closed, and singletons a handler uses are
 * destroyed after the container. So the stop is synchronous: Spring stops such a dependency right after
 * asking the container to stop.
 *
 * <p>A stopped container starts again with new consumers built from the same declarations, since a closed
 * consumer cannot start again.
 *
 * <p>Concurrency: built and started on the thread that refreshes the context; {@link #stop()} closes the
 * consumers in parallel on virtual threads and returns when they closed (SmartLifecycle's stop(Runnable)
 * calls it, then the callback). {@code running} and the start
 * failures are read by other threads (health, Actuator), so they are volatile and concurrent.
 */
final class ConsumerContainer
    implements SqsConsumers, SmartLifecycle, SmartInitializingSingleton, DisposableBean, BeanNameAware {
  /** Starts after, and stops before, the web server's phases (DEFAULT_PHASE - 1024 and - 2048). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerContainer.class);

  private final SqsConsumerProperties properties;
  private final ConsumerMethods methods;
  private final ConfigurableListableBeanFactory beanFactory;
  private String beanName = "sqsConsumers"; // set by Spring
  private final ObjectProvider<Instrumentation> instrumentations;
  private final ObjectProvider<SqsConsumerCustomizer> customizers;
  private final Supplier<Object> jsonMapper;
  private final Duration shutdownPhase;
  private final Object lock = new Object();

  private volatile Map<String, Consumer> consumers = Map.of(); // set when the singletons are ready, and at a restart
  private List<Declared> declarations = List.of(); // set once, when the singletons are ready
  private final Map<String, Boolean> required = new ConcurrentHashMap<>();
  private final Map<String, Throwable> startFailures = new ConcurrentHashMap<>();
  private volatile boolean running; // guarded by lock for writes

  ConsumerContainer(SqsConsumerProperties properties, ConsumerMethods methods,
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<Instrumentation> instrumentations, ObjectProvider<SqsConsumerCustomizer> customizers,
      Supplier<Object> jsonMapper, Duration shutdownPhase) {
    this.properties = properties;
    this.methods = methods;
    this.beanFactory = beanFactory;
    this.instrumentations = instrumentations;
    this.customizers = customizers;
    this.jsonMapper = jsonMapper;
    this.shutdownPhase = shutdownPhase;
  }

  @Override
  public Map<String, Consumer> consumers() {
    return consumers;
  }

  @Override
  public Optional<Throwable> startFailure(String name) {
    return Optional.ofNullable(startFailures.get(name));
  }

  @Override
  public void setBeanName(String name) {
    this.beanName = name;
  }

  /** Builds every consumer; a setting that does not fit fails the refresh, naming the consumer and property. */
  @Override
  public void afterSingletonsInstantiated() {
    declarations = declared();
    dependOnHandlers();
    consumers = buildAll();
  }

  /**
   * Registers the container as dependent on each handler bean and, transitively, on what it depends on
   * (see the class comment). Spring follows dependencies from Lifecycle beans only, so a dependency behind
   * a plain handler bean would be missed without the walk.
   */
  private void dependOnHandlers() {
    Set<String> seen = new HashSet<>();
    Deque<String> toVisit = new ArrayDeque<>();
    for (Declared declared : declarations) {
      toVisit.add(declared.beanName());
    }
    while (!toVisit.isEmpty()) {
      String name = toVisit.pop();
      if (name.equals(beanName) || !seen.add(name)) {
        continue; // a handler that uses SqsConsumers, or a bean reached before
      }
      beanFactory.registerDependentBean(name, beanName);
      toVisit.addAll(List.of(beanFactory.getDependenciesForBean(name)));
    }
  }

  private Map<String, Consumer> buildAll() {
    Map<String, Consumer> built = new LinkedHashMap<>();
    try {
      for (Declared declared : declarations) {
        built.put(declared.name(), build(declared));
      }
    } catch (RuntimeException e) {
      built.values().forEach(Consumer::close);
      throw e;
    }
    return Collections.unmodifiableMap(built);
  }

  /** A consumer to build: from an annotated method or from the properties. */
  private record Declared(String name, String queue, String source, ConsumerProperties own,
      HandlerSetter handler, String beanName) {}

  @FunctionalInterface
  private interface HandlerSetter {
    void applyTo(Consumer.Builder builder);
  }

  private List<Declared> declared() {
    Map<String, ConsumerProperties> entries = properties.getConsumers();
    Map<String, Declared> declared = new LinkedHashMap<>();
    for (ConsumerMethods.Found found : methods.found()) {
      String method = found.handler().description();
      if (found.queue().isBlank()) {
        throw new IllegalArgumentException("@SqsConsumer method " + method + " names no queue");
      }
      String name = found.name().isEmpty() ? defaultName(found.queue()) : found.name();
      ConsumerProperties own = entries.getOrDefault(name, new ConsumerProperties());
      String prefix = prefix(name);
      if (own.getHandler() != null) {
        throw new IllegalArgumentException(prefix + ".handler is set, but @SqsConsumer method " + method
            + " is the handler of consumer '" + name + "'; remove one, or give the method another name");
      }
      Declared previous = declared.put(name, new Declared(name, own.getQueue() != null ? own.getQueue()
          : found.queue(), "@SqsConsumer method " + method + ", " + prefix + ".*", own,
          builder -> found.handler().applyTo(builder, jsonMapper.get()), found.beanName()));
      if (previous != null) {
        throw new IllegalArgumentException("two consumers are named '" + name + "': " + previous.source()
            + " and @SqsConsumer method " + method + "; give one another name with @SqsConsumer(name = ...)");
      }
    }
    entries.forEach((name, own) -> {
      if (declared.containsKey(name)) {
        return;
      }
      String prefix = prefix(name);
      if (own.getHandler() == null) {
        throw new IllegalArgumentException(prefix + " names no handler, and no @SqsConsumer method has the name '"
            + name + "' (those found: " + declared.keySet() + "); set " + prefix + ".handler to the name of a "
            + "MessageHandler or BatchHandler bean");
      }
      if (own.getQueue() == null || own.getQueue().isBlank()) {
        throw new IllegalArgumentException(prefix + ".queue is required for a consumer declared in properties");
      }
      Object handler = handlerBean(own.getHandler(), prefix);
      declared.put(name, new Declared(name, own.getQueue(), prefix + ".*", own, builder -> {
        if (handler instanceof MessageHandler messageHandler) {
          builder.handler(messageHandler);
        } else {
          builder.batchHandler((BatchHandler) handler);
        }
      }, own.getHandler()));
    });
    return List.copyOf(declared.values());
  }

  private Object handlerBean(String beanName, String prefix) {
    Object handler;
    try {
      handler = beanFactory.getBean(beanName);
    } catch (NoSuchBeanDefinitionException e) {
      throw new IllegalArgumentException(prefix + ".handler names the bean '" + beanName + "', but there is none",
          e);
    }
    if (!(handler instanceof MessageHandler) && !(handler instanceof BatchHandler)) {
      throw new IllegalArgumentException(prefix + ".handler names the bean '" + beanName + "' of type "
          + handler.getClass().getName() + ", which is neither a MessageHandler nor a BatchHandler");
    }
    return handler;
  }

  private Consumer build(Declared declared) {
    String name = declared.name();
    ConsumerSettingsApplier applier = new ConsumerSettingsApplier(properties.getDefaults(), shutdownPhase);
    required.put(name, applier.required(declared.own()));
    try {
      Consumer.Builder builder = Consumer.builder().name(name).queue(declared.queue());
      declared.handler().applyTo(builder);
      applier.apply(declared.own(), prefix(name), builder);
      List<Instrumentation.Built> afterBuild = new ArrayList<>();
      instrumentations.orderedStream().forEach(i -> afterBuild.add(i.install(name, builder)));
      customizers.orderedStream().forEach(c -> c.customize(name, builder));
      Consumer consumer = builder.build();
      try {
        afterBuild.forEach(step -> step.built(consumer));
      } catch (RuntimeException e) {
        consumer.close();
        throw e;
      }
      return consumer;
    } catch (IllegalArgumentException | IllegalStateException | ConsumerException e) {
      throw new IllegalStateException("consumer '" + name + "' (" + declared.source()
          + ", sqs-consumer.defaults.*): " + e.getMessage(), e);
    }
  }

  /** The queue's name: the last path segment of a queue URL, or the name itself. */
  static String defaultName(String queue) {
    String trimmed = queue.endsWith("/") ? queue.substring(0, queue.length() - 1) : queue;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  /**
   * The consumer's own properties as they are written: Spring splits a map key at a dot (a FIFO queue's
   * {@code orders.fifo}) and drops some other characters, so a name of anything but lower-case letters,
   * digits and hyphens is given in brackets, which bind any key as it is.
   */
  private static String prefix(String name) {
    return name.matches("[a-z0-9-]+") ? "sqs-consumer.consumers." + name : "sqs-consumer.consumers[" + name + "]";
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (running) {
        return;
      }
      if (consumers.values().stream().anyMatch(c -> c.state() != Consumer.State.NEW)) {
        // a restart after stop (a paused test context, context.stop() and start()): a closed consumer cannot
        // start again, so the declarations are built anew
        consumers = buildAll();
        startFailures.clear();
      }
      List<Consumer> started = new ArrayList<>();
      for (Map.Entry<String, Consumer> entry : consumers.entrySet()) {
        String name = entry.getKey();
        try {
          entry.getValue().start();
          started.add(entry.getValue());
        } catch (RuntimeException e) {
          if (required.getOrDefault(name, true)) {
            closeAll(started);
            throw new ApplicationContextException("consumer '" + name + "' could not start: " + e.getMessage()
                + " (to start the application without it, set " + prefix(name) + ".required=false)", e);
          }
          startFailures.put(name, e);
          LOG.warn("consumer '{}' could not start and reports DOWN ({}.required=false): {}", name, prefix(name),
              e.getMessage());
        }
      }
      running = true;
      LOG.info("started {} of {} consumers", started.size(), consumers.size());
    }
  }

  @Override
  public void stop() {
    synchronized (lock) {
      running = false;
    }
    closeAll(consumers.values());
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public boolean isAutoStartup() {
    return properties.isAutoStartup();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** Closes whatever is still open when the context is destroyed, such as after a failed refresh. */
  @Override
  public void destroy() {
    synchronized (lock) {
      running = false;
    }
    closeAll(consumers.values());
  }

  /**
   * Closes consumers in parallel and waits for them. Each close is bounded (its shutdown timeout plus
   * {@link ConsumerSettingsApplier#CLOSE_MARGIN}); the wait is bounded by the longest of them as well.
   */
  private void closeAll(Iterable<Consumer> toClose) {
    List<Thread> closing = new ArrayList<>();
    for (Consumer consumer : toClose) {
      closing.add(Thread.ofVirtual().name("sqs-consumer-close-" + consumer.name()).start(consumer::close));
    }
    long deadline = System.nanoTime() + shutdownPhase.plus(CLOSE_WAIT_SLACK).toNanos();
    boolean interrupted = false;
    for (Thread thread : closing) {
      try {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
          LOG.warn("consumers still closing after {}; not waiting longer", shutdownPhase);
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Beyond the shutdown phase, which every consumer's close fits in, before giving up on a close. */
  private static final Duration CLOSE_WAIT_SLACK = Duration.ofSeconds(5);
}
