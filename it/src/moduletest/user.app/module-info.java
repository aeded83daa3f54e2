/**
 * A user's application as ModulePathTest and HygieneTest launch it: it requires the library's api module
 * and nothing else. The runner, worker and harvester are on the module path and are bound as services.
 */
module user.app {
  requires io.github.sqsconsumer;
}
