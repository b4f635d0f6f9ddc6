import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // A self-contained server for the Docker image (.next/standalone/server.js).
  // `npm start` runs `next start` from the project tree instead, which prints a
  // warning about this setting that is safe to ignore there.
  output: 'standalone',
  // The standalone server chdir's into its own folder and migrates on first
  // use, so the migrations must travel with it.
  outputFileTracingIncludes: { '/*': ['./drizzle/**/*'] },
};

export default nextConfig;
