package io.github.sqsconsumer;

/** When a message is deleted from the queue. */
public enum AcknowledgeMode {
  /** Only after its handler succeeded (or discarded it): at-least-once. The default. */
  ON_SUCCESS,
  /** After its handler ran, whatever the outcome: a failed message is not retried. */
  ALWAYS
}
