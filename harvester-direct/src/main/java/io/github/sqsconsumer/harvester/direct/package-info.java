/**
 * The direct harvester: one DeleteMessage or ChangeMessageVisibility request per outcome, a bounded
 * number in flight. Only {@link io.github.sqsconsumer.harvester.direct.DirectHarvesterProvider} is public;
 * the module exports nothing.
 */
package io.github.sqsconsumer.harvester.direct;
