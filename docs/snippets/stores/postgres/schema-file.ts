import { writeFileSync } from 'node:fs';
import { schemaSql } from '@sess/store-postgres';

writeFileSync('migrations/0001_sessions.sql', schemaSql({ schema: 'auth', table: 'sessions' }));
