/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Each checkout builds into its own folder; nothing outside the project is part of the app.
  turbopack: { root: __dirname },
};

module.exports = nextConfig;
