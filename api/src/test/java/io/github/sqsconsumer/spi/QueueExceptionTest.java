package io.github.sqsconsumer.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sqsconsumer.spi.QueueException.Kind;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

final class QueueExceptionTest {

  @Test
  void kindOf_classifiedFailure_isItsKind() {
    for (Kind kind : Kind.values()) {
      assertThat(QueueException.kindOf(new QueueException(kind, "", "failed", null))).isEqualTo(kind);
    }
  }

  /** An unclassified failure is retried, never taken for the queue's verdict. */
  @Test
  void kindOf_unclassifiedFailure_isTransient() {
    assertThat(QueueException.kindOf(new IllegalStateException("a port's bug"))).isEqualTo(Kind.TRANSIENT);
    assertThat(QueueException.kindOf(new OutOfMemoryError())).isEqualTo(Kind.TRANSIENT);
  }

  /** A future's failure is read through its wrapper, however deep. */
  @Test
  void kindOf_wrappedByAFuture_isTheCausesKind() {
    QueueException fatal = new QueueException(Kind.FATAL, "AccessDenied", "denied", null);
    assertThat(QueueException.kindOf(new CompletionException(new ExecutionException(fatal)))).isEqualTo(Kind.FATAL);
    assertThat(QueueException.kindOf(new CompletionException(null))).isEqualTo(Kind.TRANSIENT);
  }
}
