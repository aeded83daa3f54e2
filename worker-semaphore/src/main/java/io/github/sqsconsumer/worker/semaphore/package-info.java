/**
 * The semaphore worker: a new virtual thread per unit of work, at most {@code concurrency} at once.
 * Only {@link io.github.sqsconsumer.worker.semaphore.SemaphoreWorkerProvider} is public, and the package is
 * not exported.
 */
package io.github.sqsconsumer.worker.semaphore;
