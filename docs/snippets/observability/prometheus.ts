import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createSessionManager } from '@sess/core';
import { instrumentSess, instrumentStore } from '@sess/opentelemetry';
import { sqliteStore } from '@sess/store-sqlite';
import express from 'express';

// The Prometheus exporter as a plain MetricReader: no server of its own, a route on your app.
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });

const store = instrumentStore(sqliteStore({ database: 'data/sessions.db', migrate: true }), {
  meterProvider,
});
const sess = createSessionManager({ store, secret: process.env.SESS_SECRET! });
instrumentSess(sess, { meterProvider, store, statsInterval: '1m' });

const app = express();
// Keep it off the public internet: an internal listener, or a network policy, or auth.
app.get('/metrics', (req, res) => exporter.getMetricsRequestHandler(req, res));
