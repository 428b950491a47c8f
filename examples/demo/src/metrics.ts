import type { IncomingMessage, ServerResponse } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { AnomalyOptions, SessionManager, SessionStore } from '@sess/core';
import { instrumentSess, instrumentStore } from '@sess/opentelemetry';

/** With metrics on, the demo also raises every anomaly signal, so the dashboard has something to show. */
export const DEMO_ANOMALIES: AnomalyOptions = {
  failedLogins: true,
  distinctIps: true,
  refreshReuse: true,
};

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** `SESS_METRICS=1`: sess's OpenTelemetry metrics, served as Prometheus text at `GET /metrics`. */
export interface DemoMetrics {
  /** The store, timed (wrap it before `createSessionManager`). */
  readonly store: SessionStore;
  /** Counts the manager's events and the store's live sessions. */
  instrument(sess: SessionManager): void;
  /** Answers `GET /metrics` itself and passes every other request to `app`. */
  serve(app: Listener): Listener;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry Prometheus exporter used as a plain MetricReader: it starts no server of its
 * own (`preventServerStart`); the demo mounts its handler on the app's port. No tracer provider is
 * registered, so spans cost nothing here. `/metrics` is unauthenticated: fine on loopback, but in
 * production serve it on an internal port or behind auth.
 */
export function demoMetrics(store: SessionStore): DemoMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const timed = instrumentStore(store, { meterProvider });
  let stop = () => {};
  return {
    store: timed,
    instrument(sess) {
      // The gauge asks the store at most every 15 s, however often Prometheus scrapes.
      stop = instrumentSess(sess, { meterProvider, store: timed, statsInterval: '15s' }).stop;
    },
    serve: (app) =>
      function metricsOrApp(req, res) {
        if (req.method === 'GET' && req.url === '/metrics') {
          exporter.getMetricsRequestHandler(req, res);
        } else {
          app(req, res);
        }
      },
    async shutdown() {
      stop();
      await meterProvider.shutdown();
    },
  };
}
