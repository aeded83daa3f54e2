package user.harvester;

import io.github.sqsconsumer.spi.Harvester;
import io.github.sqsconsumer.spi.HarvesterContext;
import io.github.sqsconsumer.spi.HarvesterProvider;

/** Provides the {@code recording} harvester. */
public final class RecordingHarvesterProvider implements HarvesterProvider {
  /** Called by ServiceLoader. */
  public RecordingHarvesterProvider() {}

  @Override
  public String name() {
    return "recording";
  }

  @Override
  public Harvester create(HarvesterContext context) {
    return new RecordingHarvester(context);
  }
}
