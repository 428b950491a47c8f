// The manager of the jwt strategy page, shared by this page's examples.
export { sess } from '../strategies/jwt.ts';
