import { instrumentSess } from '@sess/opentelemetry';
import { sess } from '../operations/sess.ts';

// A span per validated request too: the hot path, so only while you investigate.
const telemetry = instrumentSess(sess, { traceValidate: true });
setTimeout(() => telemetry.stop(), 15 * 60_000).unref();
