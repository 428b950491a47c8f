// Load this file first (node --import ./telemetry.js server.js), as the OpenTelemetry Node SDK asks.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { createSessionManager } from '@sess/core';
import { instrumentSess, instrumentStore } from '@sess/opentelemetry';
import { redisStore } from '@sess/store-redis';

const sdk = new NodeSDK({
  serviceName: 'accounts',
  // Or an OTLP exporter in a PeriodicExportingMetricReader, to send metrics to a collector.
  metricReader: new PrometheusExporter({ port: 9464 }), // serves /metrics on its own port
});
sdk.start(); // registers the global MeterProvider and TracerProvider

// No providers passed: the global ones the SDK registered are used.
const store = instrumentStore(redisStore({ url: process.env.REDIS_URL! }));
export const sess = createSessionManager({
  store,
  secret: process.env.SESS_SECRET!,
  anomalies: { failedLogins: true, distinctIps: true, refreshReuse: true },
});
const telemetry = instrumentSess(sess, { store });

process.once('SIGTERM', async () => {
  telemetry.stop();
  await sdk.shutdown(); // flushes the last metrics and spans
});
