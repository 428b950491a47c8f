/** @sess/store-url: open any sess store from a URL. */
export {};
