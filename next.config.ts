import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // `next build` type-checks with a config that covers the app's sources only, so
  // bench/ and test/ files (checked by `npm run typecheck`) never fail a build.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
};

export default nextConfig;
