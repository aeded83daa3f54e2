/**
 * A worker that runs each unit of work on a new virtual thread, gated by a semaphore sized to the
 * concurrency. Choose it with the name {@code semaphore}.
 *
 * <p>Exports nothing: the consumer finds it with {@link java.util.ServiceLoader}. It reads no settings: any
 * {@code semaphore.*} setting fails {@code build()} (see
 * {@link io.github.sqsconsumer.Consumer.Builder#setting(String, String)}).
 *
 * @provides io.github.sqsconsumer.spi.WorkerProvider
 */
module io.github.sqsconsumer.worker.semaphore {
  requires io.github.sqsconsumer;
  requires org.slf4j;

  provides io.github.sqsconsumer.spi.WorkerProvider with
      io.github.sqsconsumer.worker.semaphore.SemaphoreWorkerProvider;
}
