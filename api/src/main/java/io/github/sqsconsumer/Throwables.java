package io.github.sqsconsumer;

/**
 * Describes throwables that come from code not ours (handlers, hooks, listeners, retry policies, parts)
 * without throwing in turn: such a throwable's {@code getMessage} or {@code toString} may throw, and a
 * catch block that logs it must still finish what it is there for (settling the rest of a batch, the outer
 * hooks' clean-up, the next phase of a stop).
 */
final class Throwables {
  private Throwables() {}

  /** Returns {@code t.toString()}, or its class name and what describing it threw. */
  static String describe(Throwable t) {
    try {
      return String.valueOf(t);
    } catch (Throwable e) {
      return undescribable(t, e);
    }
  }

  /**
   * Returns {@code t} if it describes itself, else a stand-in with its class name and stack trace, for a
   * logger that prints the stack trace (and with it the message).
   */
  static Throwable loggable(Throwable t) {
    try {
      String.valueOf(t);
      return t;
    } catch (Throwable e) {
      StandIn standIn = new StandIn(undescribable(t, e));
      try {
        standIn.setStackTrace(t.getStackTrace());
      } catch (Throwable ignored) {
        // the stand-in's own trace then, which still says where it was caught
      }
      return standIn;
    }
  }

  private static String undescribable(Throwable t, Throwable e) {
    return t.getClass().getName() + " (describing it threw " + e.getClass().getName() + ")";
  }

  /** Stands in for a throwable that cannot describe itself. */
  private static final class StandIn extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StandIn(String message) {
      super(message, null, false, true);
    }
  }
}
