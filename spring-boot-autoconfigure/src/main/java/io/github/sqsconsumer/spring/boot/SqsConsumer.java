package io.github.sqsconsumer.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Makes a bean method the handler of a consumer that starts and stops with the application context.
 *
 * <pre>{@code
 * @Component
 * class Orders {
 *   @SqsConsumer("orders")
 *   void on(Order order) { ... }              // the body read as JSON (sqs-consumer-jackson)
 *
 *   @SqsConsumer(queue = "${audit.queue}", name = "audit")
 *   void on(List<Message> batch) { ... }      // a batch of up to sqs-consumer.consumers.audit.batch-size
 * }
 * }</pre>
 *
 * <p>The method takes one parameter, whose type decides the handler:
 * <ul>
 *   <li>{@link io.github.sqsconsumer.Message}: a message handler;</li>
 *   <li>{@code String}: a message handler given the body;</li>
 *   <li>{@code JsonMessage<T>} or any other type {@code T}: a message handler given the body read as JSON
 *       into {@code T}, with {@code sqs-consumer-jackson} on the class path (and the application's
 *       {@code JsonMapper} when it has exactly one);</li>
 *   <li>{@code List<Message>}, {@code List<JsonMessage<T>>} or {@code List<T>}: a batch handler, the same
 *       way.</li>
 * </ul>
 * A message handler returns nothing; a batch handler returns nothing or, for {@code List<Message>} and
 * {@code List<JsonMessage<T>>}, a {@link io.github.sqsconsumer.BatchResult} naming the messages that
 * failed. A method that throws fails its message (or its whole batch), which comes back by the retry
 * policy. The method may be called concurrently, up to the consumer's concurrency.
 *
 * <p>Every other setting comes from the properties {@code sqs-consumer.defaults.*} and
 * {@code sqs-consumer.consumers.<name>.*}. Methods of singleton beans that are not lazy are found.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SqsConsumer {

  /**
   * The queue: its URL or its name; placeholders such as {@code ${orders.queue}} are resolved. Alias of
   * {@link #queue()}.
   *
   * @return the queue
   */
  @AliasFor("queue")
  String value() default "";

  /**
   * The queue: its URL or its name; placeholders such as {@code ${orders.queue}} are resolved. The
   * property {@code sqs-consumer.consumers.<name>.queue} overrides it.
   *
   * @return the queue
   */
  @AliasFor("value")
  String queue() default "";

  /**
   * The consumer's name: the key of its properties, in logs, thread names, metrics and health; default the
   * queue's name (the last path segment of a queue URL).
   *
   * @return the name, or empty for the default
   */
  String name() default "";
}
