import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { SessionManager, SessionStore } from '@sess/core';
import { instrumentSess, instrumentStore } from '@sess/opentelemetry';

/** A reader that holds the SDK's aggregations until asked, like a Prometheus pull exporter between scrapes. */
class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * The OpenTelemetry SDK as an application would register it (a meter provider with a reader, a
 * tracer provider), and @sess/opentelemetry's defaults on top: lifecycle spans on, validate spans
 * off. Returns the store to give the manager, and the call that instruments the manager.
 */
export function withOpenTelemetry(store: SessionStore): {
  store: SessionStore;
  instrument(sess: SessionManager): void;
} {
  const meterProvider = new MeterProvider({ readers: [new PullReader()] });
  const tracerProvider = new BasicTracerProvider();
  const timed = instrumentStore(store, { meterProvider, tracerProvider });
  return {
    store: timed,
    instrument: (sess) => {
      instrumentSess(sess, { meterProvider, tracerProvider, store: timed });
    },
  };
}
