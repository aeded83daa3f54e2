/**
 * A worker that runs units of work on an elastic pool of reused platform threads, with a bounded
 * ring-buffer waiting room, that shrinks when idle. Choose it with the name {@code pool}.
 *
 * <p>Exports nothing: the consumer finds it with {@link java.util.ServiceLoader}.
 *
 * @provides io.github.sqsconsumer.spi.WorkerProvider
 */
module io.github.sqsconsumer.worker.pool {
  requires io.github.sqsconsumer;
  requires org.slf4j;

  provides io.github.sqsconsumer.spi.WorkerProvider with
      io.github.sqsconsumer.worker.pool.PoolWorkerProvider;
}
