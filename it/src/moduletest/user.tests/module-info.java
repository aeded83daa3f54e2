/**
 * A user's test module as TestkitModulePathTest launches it: it requires the in-memory testkit (a named
 * module) and JUnit's launcher, and opens its package to JUnit so its contract test can run.
 */
module user.tests {
  requires io.github.sqsconsumer.testkit;
  requires org.junit.platform.launcher;

  opens user.tests to org.junit.platform.commons;
}
