export {
  type InstrumentSessOptions,
  instrumentSess,
  type SessInstrumentation,
} from './instrument-sess.ts';
export { type InstrumentStoreOptions, instrumentStore } from './instrument-store.ts';
export { ATTR, METRICS, SCOPE } from './names.ts';
