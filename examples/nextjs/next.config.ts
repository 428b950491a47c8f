import type { NextConfig } from 'next';

const config: NextConfig = {
  // better-sqlite3 is a native addon: Node loads it at run time, the bundler leaves it alone.
  serverExternalPackages: ['better-sqlite3'],
  // Biome lints this repository; Next's own ESLint step has nothing to run.
  eslint: { ignoreDuringBuilds: true },
};

export default config;
