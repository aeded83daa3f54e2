package io.github.sqsconsumer.opentelemetry;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;

/**
 * Reads the AWS X-Ray trace header that SQS carries in the {@code AWSTraceHeader} system attribute:
 * {@code Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>}, fields in any order, others ignored. The
 * root's two hex parts together are the 32-hex-digit trace id; the parent is the span id.
 */
final class XRayTraceHeader {
  private static final String VERSION = "1-";

  private XRayTraceHeader() {}

  /** Returns the remote parent the header names, or null if it names none (no parent, or malformed). */
  static SpanContext parse(String header) {
    String traceId = null;
    String spanId = null;
    boolean sampled = false;
    for (String field : header.split(";")) {
      int equals = field.indexOf('=');
      if (equals < 0) {
        continue;
      }
      String key = field.substring(0, equals).trim();
      String value = field.substring(equals + 1).trim();
      switch (key) {
        case "Root" -> traceId = traceId(value);
        case "Parent" -> spanId = value;
        case "Sampled" -> sampled = value.equals("1");
        default -> {
          // Lineage, Self and others: not part of the parent
        }
      }
    }
    if (traceId == null || spanId == null || !TraceId.isValid(traceId) || !SpanId.isValid(spanId)) {
      return null;
    }
    return SpanContext.createFromRemoteParent(traceId, spanId,
        sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
  }

  /** {@code 1-5759e988-bd862e3fe1be46a994272793} -> {@code 5759e988bd862e3fe1be46a994272793}, or null. */
  private static String traceId(String root) {
    if (!root.startsWith(VERSION) || root.length() != VERSION.length() + 8 + 1 + 24
        || root.charAt(VERSION.length() + 8) != '-') {
      return null;
    }
    return root.substring(VERSION.length(), VERSION.length() + 8) + root.substring(VERSION.length() + 9);
  }
}
