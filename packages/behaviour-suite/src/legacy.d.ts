// Express 4, Koa 2 and Fastify 4, installed under aliases so both majors run in one suite. Their public API
// used here is the same as the current majors'.
declare module 'express4' {
  import express from 'express';
  // biome-ignore lint/style/noDefaultExport: declares a third-party module's own default export
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  // biome-ignore lint/style/noDefaultExport: declares a third-party module's own default export
  export default Koa;
}
declare module 'fastify4' {
  import fastify from 'fastify';
  // biome-ignore lint/style/noDefaultExport: declares a third-party module's own default export
  export default fastify;
}
