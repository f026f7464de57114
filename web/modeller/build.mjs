// Bundles the modeller page (web/modeller/index.js) into static/build/modeller.js and modeller.css with esbuild.
// The app's Content-Security-Policy allows no inline style: the few style attributes the libraries write in HTML
// strings are moved into stylesheet rules (the panel's containers) or SVG presentation attributes (icons).
import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";

const SVG_STYLE = /style="([^"]*)"/g;

function svgAttributes(source) {
  return source.replace(SVG_STYLE, (_, style) => style.split(";").filter(Boolean).map((rule) => {
    const [name, value] = rule.split(":").map((part) => part.trim());
    return `${name}="${value}"`;
  }).join(" "));
}

const PANEL_STYLES = [
  ['<div style="height: 100%" tabindex="-1"', '<div tabindex="-1"'],
  ['<div style="flex: none; height: auto" class="', '<div class="'],
];

const noInlineStyles = {
  name: "no-inline-styles",
  setup(build) {
    build.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, async (args) => {
      let source = await readFile(args.path, "utf8");
      for (const [from, to] of PANEL_STYLES) {
        if (!source.includes(from)) { throw new Error(`the properties panel changed: ${from} not found`); }
        source = source.replace(from, to);
      }
      return { contents: source, loader: "js" };
    });
    build.onLoad({ filter: /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/ },
      async (args) => ({ contents: svgAttributes(await readFile(args.path, "utf8")), loader: "js" }));
  },
};

await esbuild.build({
  entryPoints: { modeller: "modeller/index.js" },
  bundle: true,
  minify: true,
  target: "es2019",
  outdir: "static/build",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "dataurl" },
  plugins: [noInlineStyles],
  logLevel: "warning",
});
