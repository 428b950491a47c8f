// The manager from the concepts page, shared by this page's examples.
export { sess } from '../concepts/sess.ts';
