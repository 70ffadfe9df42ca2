import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html, trusted } from './html.ts';
import { themeRule } from './theme.ts';

describe('html tagged template', () => {
  it('escapes every interpolation unless it is SafeHtml', () => {
    const value = `"><script>alert('x')</script>&\``;
    assert.equal(html`<input value="${value}">`.html, '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;">');
    assert.equal(html`<p>${html`<b>${'<i>'}</b>`}</p>`.html, '<p><b>&lt;i&gt;</b></p>');
    assert.equal(html`${trusted('<br>')}`.html, '<br>');
  });

  it('joins arrays and renders undefined, null and booleans as nothing', () => {
    assert.equal(html`${['<a>', html`<b>`]}${undefined}${null}${false}${true}${0}`.html, '&lt;a&gt;<b>0');
  });
});

describe('themeRule', () => {
  it('keeps safe custom properties and drops anything that could leave the rule or the style element', () => {
    const rule = themeRule({
      title: 't',
      cssVariables: { '--gh-accent': '#123456', '--gh-font': 'system-ui, sans-serif', '--gh-bad': 'red;}</style><script>', color: 'red', '--gh-url': 'url(https://evil.example/x.png)' },
    });
    assert.equal(rule, ':root{--gh-accent:#123456;--gh-font:system-ui, sans-serif}');
  });
});
