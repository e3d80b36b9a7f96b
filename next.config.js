/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Lets two checkouts' test runs (or a test run beside `npm run dev`) build without sharing one folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Each checkout builds into its own folder; nothing outside the project is part of the app.
  turbopack: { root: __dirname },
};

module.exports = nextConfig;
