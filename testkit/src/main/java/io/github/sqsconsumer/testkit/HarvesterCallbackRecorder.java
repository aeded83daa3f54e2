package io.github.sqsconsumer.testkit;

import io.github.sqsconsumer.Message;
import io.github.sqsconsumer.spi.HarvesterCallback;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A {@link HarvesterCallback} that records every report, for harvester tests.
 *
 * <p>Thread-safe (guarded by its monitor); never blocks the reporting thread for long. Tests wait for
 * reports with {@link #awaitReports}, never by sleeping.
 */
public final class HarvesterCallbackRecorder implements HarvesterCallback {

  /** What became of a message. */
  public enum Outcome {
    /** Reported through {@link HarvesterCallback#acknowledged}: the message was deleted. */
    ACKNOWLEDGED,
    /** Reported through {@link HarvesterCallback#released}: the message's visibility was set. */
    RELEASED,
    /** Reported through {@link HarvesterCallback#failed}: the delete or release failed for good. */
    FAILED
  }

  /**
   * One report.
   *
   * @param outcome what became of the message
   * @param message the message reported
   * @param visibility the visibility set, for {@link Outcome#RELEASED}; else null
   * @param cause why, for {@link Outcome#FAILED}; else null
   * @param threadName the thread that reported
   * @param atNanos {@link System#nanoTime()} of the report
   */
  public record Report(Outcome outcome, Message message, Duration visibility, Throwable cause,
      String threadName, long atNanos) {}

  private final List<Report> reports = new ArrayList<>(); // guarded by this
  private Supplier<? extends Error> failure; // guarded by this

  /** Creates an empty recorder. */
  public HarvesterCallbackRecorder() {}

  /**
   * From now on each report, once recorded, throws what {@code failure} supplies: a callback with a bug,
   * which a harvester must survive without losing capacity or reports.
   *
   * @param failure supplies the error to throw; never null
   * @return this recorder
   */
  public synchronized HarvesterCallbackRecorder throwAfterRecording(Supplier<? extends Error> failure) {
    this.failure = Objects.requireNonNull(failure, "failure");
    return this;
  }

  @Override
  public void acknowledged(Message message) {
    record(new Report(Outcome.ACKNOWLEDGED, Objects.requireNonNull(message), null, null, threadName(),
        System.nanoTime()));
  }

  @Override
  public void released(Message message, Duration visibility) {
    record(new Report(Outcome.RELEASED, Objects.requireNonNull(message), Objects.requireNonNull(visibility),
        null, threadName(), System.nanoTime()));
  }

  @Override
  public void failed(Message message, Throwable cause) {
    record(new Report(Outcome.FAILED, Objects.requireNonNull(message), null, Objects.requireNonNull(cause),
        threadName(), System.nanoTime()));
  }

  private static String threadName() {
    return Thread.currentThread().getName();
  }

  private void record(Report report) {
    Supplier<? extends Error> throwing;
    synchronized (this) {
      reports.add(report);
      notifyAll();
      throwing = failure;
    }
    if (throwing != null) {
      throw throwing.get();
    }
  }

  /** {@return every report so far, in order} */
  public synchronized List<Report> reports() {
    return List.copyOf(reports);
  }

  /** {@return how many reports arrived} */
  public synchronized int count() {
    return reports.size();
  }

  /**
   * {@return the reports about {@code message} (equal id and receipt handle)}
   *
   * @param message the message to look for; never null
   */
  public synchronized List<Report> reportsFor(Message message) {
    return reports.stream().filter(r -> r.message().equals(message)).toList();
  }

  /**
   * {@return how many reports have this outcome}
   *
   * @param outcome the outcome to count; never null
   */
  public synchronized int count(Outcome outcome) {
    return (int) reports.stream().filter(r -> r.outcome() == outcome).count();
  }

  /**
   * Waits until at least {@code count} reports arrived.
   *
   * @param count how many reports, of any outcome, to wait for
   * @param timeout the longest wait; never null
   * @throws InterruptedException if the waiting thread is interrupted
   * @throws TimeoutException if they did not arrive within {@code timeout}
   */
  public synchronized void awaitReports(int count, Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (reports.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("expected " + count + " reports within " + timeout + " but got "
            + reports.size());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
