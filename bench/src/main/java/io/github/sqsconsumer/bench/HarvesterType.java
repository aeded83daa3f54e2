package io.github.sqsconsumer.bench;

/** The harvesters under test, by the name a consumer chooses them with. */
public enum HarvesterType {
  /** Deletes in batches of up to 10. */
  BATCH("batch"),
  /** One request per outcome. */
  DIRECT("direct");

  private final String providerName;

  HarvesterType(String providerName) {
    this.providerName = providerName;
  }

  /** Returns the name to pass to {@code Consumer.Builder.harvester}. */
  public String providerName() {
    return providerName;
  }
}
