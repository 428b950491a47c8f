export { available, DATABASE_URL, pingPostgres, pingRedis, REDIS_URL } from './services.ts';
