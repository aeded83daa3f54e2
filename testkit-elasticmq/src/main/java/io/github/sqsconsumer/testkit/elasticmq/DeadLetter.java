package io.github.sqsconsumer.testkit.elasticmq;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The dead-letter queue of an {@link SqsQueue}: the extension creates it first, of the same kind (a FIFO
 * queue's is FIFO), and gives the queue a redrive policy naming it. Read it through
 * {@link TestQueue#deadLetters()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({})
public @interface DeadLetter {

  /**
   * {@return how many receives a message gets before it moves to the dead-letter queue, 1 to 1,000}
   * Required.
   */
  int maxReceiveCount();

  /**
   * {@return the dead-letter queue's name; default the queue's with {@code -dlq} added before any
   * {@code .fifo} ({@code orders-dlq}, {@code orders-dlq.fifo})}
   */
  String name() default "";
}
