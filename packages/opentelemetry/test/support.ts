import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValueType } from '@opentelemetry/api';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A metric reader that only collects when asked: the in-memory reader of the SDK's own tests. */
export class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** An SDK meter provider and tracer provider that keep everything in memory. */
export function telemetry() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    meterProvider,
    tracerProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    async metrics(): Promise<Metrics> {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      return new Metrics(resourceMetrics);
    },
  };
}

type Labels = Record<string, string | number | boolean>;

/** Collected metrics, looked up by instrument name and attribute subset. */
export class Metrics {
  constructor(readonly resource: ResourceMetrics) {}

  #points(name: string): DataPoint<unknown>[] {
    for (const scope of this.resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name === name) return metric.dataPoints as DataPoint<unknown>[];
      }
    }
    return [];
  }

  names(): string[] {
    return this.resource.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
  }

  /** The sum of a counter's points whose attributes include `labels`. */
  count(name: string, labels: Labels = {}): number {
    return this.#matching(name, labels).reduce((sum, p) => sum + (p.value as number), 0);
  }

  /** A histogram's summed count over points whose attributes include `labels`. */
  histogram(name: string, labels: Labels = {}): { count: number; sum: number } {
    return this.#matching(name, labels).reduce(
      (acc, p) => ({
        count: acc.count + (p.value as Histogram).count,
        sum: acc.sum + ((p.value as Histogram).sum ?? 0),
      }),
      { count: 0, sum: 0 },
    );
  }

  /** A gauge's value (its only point). */
  gauge(name: string): number | undefined {
    return this.#points(name)[0]?.value as number | undefined;
  }

  /** Every attribute value of every point. */
  attributeValues(): unknown[] {
    return this.resource.scopeMetrics.flatMap((s) =>
      s.metrics.flatMap((m) => m.dataPoints.flatMap((p) => Object.values(p.attributes))),
    );
  }

  #matching(name: string, labels: Labels): DataPoint<unknown>[] {
    return this.#points(name).filter((p) =>
      Object.entries(labels).every(([k, v]) => p.attributes[k] === v),
    );
  }
}

export { ValueType };

/** Serves `listener` on a loopback port. */
export async function listen(
  listener: Parameters<typeof createServer>[1],
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A browser-like client: a cookie jar, the page's Origin, and the last CSRF token it was given. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrfToken = '';

  /** Every header and body value sent or received: none may show up in telemetry. */
  readonly seen = new Set<string>();

  constructor(
    readonly url: string,
    public userAgent = 'otel-test/1',
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; bearer?: string; csrf?: boolean } = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { origin: this.url, 'user-agent': this.userAgent };
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    if (cookie) headers.cookie = cookie;
    if (method !== 'GET' && options.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.url), {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const [name = '', value = ''] = pair.split('=', 2);
      if (value) this.seen.add(value);
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
    for (const value of [body.csrfToken, body.accessToken, cookie, headers.authorization]) {
      if (typeof value === 'string' && value) this.seen.add(value);
    }
    return { status: res.status, body };
  }

  async login(email: string, password: string, options: { csrf?: boolean } = {}) {
    this.seen.add(email);
    this.seen.add(password);
    await this.request('GET', '/auth/csrf');
    return this.request('POST', '/auth/login', { json: { email, password }, ...options });
  }
}
