/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Lets two checkouts' test runs (or a test run beside `npm run dev`) build without sharing one folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Each checkout builds into its own folder; nothing outside the project is part of the app.
  turbopack: { root: __dirname },
  // The development server answers its hot-reload socket only to pages from these hosts (localhost is always
  // allowed): a person who opens http://127.0.0.1:3000 gets a page that hydrates, as at http://localhost:3000.
  allowedDevOrigins: ["127.0.0.1", "[::1]"],
};

module.exports = nextConfig;
