/**
 * The batch harvester: outcomes collected into batches of up to ten, sent when full or when the oldest
 * entry has waited {@code batch.maxWait}. Only {@link io.github.sqsconsumer.harvester.batch.BatchHarvesterProvider}
 * is public; the module exports nothing.
 */
package io.github.sqsconsumer.harvester.batch;
