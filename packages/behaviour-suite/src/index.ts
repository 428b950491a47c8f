export { available, DATABASE_URL, REDIS_URL } from './services.ts';
