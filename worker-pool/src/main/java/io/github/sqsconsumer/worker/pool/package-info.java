/**
 * The pool worker: reused platform threads that start on demand up to {@code concurrency} and stop when
 * idle, with a bounded ring-buffer waiting room. Only
 * {@link io.github.sqsconsumer.worker.pool.PoolWorkerProvider} is public, and the package is not exported.
 */
package io.github.sqsconsumer.worker.pool;
