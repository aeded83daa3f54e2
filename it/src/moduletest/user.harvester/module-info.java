/**
 * A user's own harvester, found by the library with no change to it. Declared only here, with
 * {@code provides}: the jar carries no META-INF/services file.
 */
module user.harvester {
  requires io.github.sqsconsumer;

  provides io.github.sqsconsumer.spi.HarvesterProvider with user.harvester.RecordingHarvesterProvider;
}
