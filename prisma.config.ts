import path from 'node:path';
import 'dotenv/config';
import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL } from './src/config';

// Prisma's CLI wants a native schema engine it would download. Relay ships a small
// executable that speaks the engine's protocol on top of Prisma's official WebAssembly
// build of the same engine, so migrations work offline. `??=` lets a native engine win.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(__dirname, 'tools', 'prisma-schema-engine', 'schema-engine.cjs');

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL },
});
