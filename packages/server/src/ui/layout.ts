import { createHash } from 'node:crypto';
import type { RenderedPage } from '../oauth/authorization/hosted-pages.ts';
import { html, trusted, type SafeHtml } from './html.ts';
import { stylesheetPath } from './stylesheet.ts';
import { themeRule, type Theme } from './theme.ts';

/** A CSP hash source for an inline element's exact text (CSP3 §8.4). */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface LayoutOptions {
  readonly title: string;
  readonly content: SafeHtml;
  /** Inline script text, written by Gatehouse (never from a request); allowed by its hash only. */
  readonly script?: string;
}

/**
 * The page shell: one same-origin stylesheet, the theme's variables in an inline style (allowed by its
 * hash), no third-party anything. `referrer` is also denied by header; the meta covers saved pages.
 */
export function layout(theme: Theme, options: LayoutOptions): RenderedPage {
  const rule = themeRule(theme);
  const script = options.script;
  const body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${options.title} · ${theme.title}</title>
<link rel="stylesheet" href="${stylesheetPath}">
<style>${trusted(rule)}</style>
</head>
<body>
<main>
<p class="brand">${theme.title}</p>
<h1>${options.title}</h1>
${options.content}
</main>
${script === undefined ? '' : html`<script>${trusted(script)}</script>`}
</body>
</html>
`;
  return { body: body.html, styleHashes: [hashSource(rule)], scriptHashes: script === undefined ? [] : [hashSource(script)] };
}
