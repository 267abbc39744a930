// Static multi-page build (relative asset paths, no CDN): `npm run build` -> app/dist/, served next to deployment.json.
export default {
  base: "./",
  build: {
    target: "es2022", outDir: "dist", emptyOutDir: true,
    rollupOptions: { input: { provenance: "index.html", market: "market.html", emission: "emission.html" } },
  },
};
