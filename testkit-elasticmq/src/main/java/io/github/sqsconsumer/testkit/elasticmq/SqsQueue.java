package io.github.sqsconsumer.testkit.elasticmq;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a queue a test needs, on a parameter of a test, lifecycle method or constructor that
 * {@link ElasticMqExtension} resolves: a {@link TestQueue} handle, or a {@code String} for the queue's URL.
 *
 * <pre>{@code
 * @Test
 * void failing_endsInTheDeadLetterQueue(
 *     @SqsQueue(name = "orders", deadLetter = @DeadLetter(maxReceiveCount = 3)) TestQueue orders) { ... }
 * }</pre>
 *
 * <p>The extension creates the queue on first use and creates it again, empty, before every later test of
 * the class; two declarations of one name in a class are one queue (a different declaration recreates it).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface SqsQueue {

  /**
   * {@return the queue's name, as in SQS: up to 80 letters, digits, hyphens and underscores, plus
   * {@code .fifo} for a FIFO queue} Required.
   */
  String name();

  /**
   * {@return whether the queue is FIFO, with content-based deduplication} A name ending in {@code .fifo} makes a
   * FIFO queue too; {@code true} adds that suffix to a name without it. Default false.
   */
  boolean fifo() default false;

  /** {@return the queue's visibility timeout in seconds, 0 to 43,200; default 30, as in SQS} */
  int visibilityTimeoutSeconds() default 30;

  /**
   * {@return the dead-letter queue and redrive policy, at most one: messages received
   * {@code maxReceiveCount} times without being deleted move there} Default none.
   */
  DeadLetter[] deadLetter() default {};
}
