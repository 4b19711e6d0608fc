import { loadEnv } from "vite";
import { defineConfig } from "vitest/config";

// The Python server serves the built app under /webmail/ and the auth API
// under /auth/ on the same origin. During `npm run dev`, /auth is proxied to a
// locally running Sealbox server (override with SEALBOX_DEV_SERVER=https://host:port).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, ".", "SEALBOX_");
  const devServer = env["SEALBOX_DEV_SERVER"] ?? "https://127.0.0.1:8443";

  return {
    base: "/webmail/",
    build: {
      outDir: "dist",
      emptyOutDir: true,
      target: "es2022",
    },
    server: {
      proxy: {
        "/auth": { target: devServer, secure: false },
      },
    },
    test: {
      environment: "node",
      include: ["src/**/*.test.ts"],
      restoreMocks: true,
      unstubGlobals: true,
    },
  };
});
