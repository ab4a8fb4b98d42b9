import { describe, expect, it } from 'vitest';
import { escapeHtml, html, join, raw, SafeHtml } from '../../../lambdas/views/html';

describe('html', () => {
  it('escapes every interpolated string and number', () => {
    // Act
    const out = html`<p title="${`"><script>x</script>`}">${'Tom & Jerry'} ${42}</p>`;

    // Assess
    expect(`${out}`).toBe('<p title="&#34;&#62;&#60;script&#62;x&#60;/script&#62;">Tom &#38; Jerry 42</p>');
  });

  it('keeps nested html`` as it is, so a fragment is escaped once', () => {
    // Prepare
    const inner = html`<b>${'<i>'}</b>`;

    // Act
    const out = html`<p>${inner}</p>`;

    // Assess
    expect(out.toString()).toBe('<p><b>&#60;i&#62;</b></p>');
  });

  it('joins arrays, escaping strings and keeping SafeHtml items', () => {
    // Act
    const out = html`<ul>${['<a>', html`<li>b</li>`, ['c', html`<br>`]]}</ul>`;

    // Assess
    expect(out.toString()).toBe('<ul>&#60;a&#62;<li>b</li>c<br></ul>');
  });

  it('renders null, undefined and false as nothing, for conditional fragments', () => {
    // Prepare
    const none: string | undefined = undefined;

    // Act
    const out = html`<p>${null}${none}${false}${none && html`<b>never</b>`}</p>`;

    // Assess
    expect(out.toString()).toBe('<p></p>');
  });

  it('trusts only what raw() marks, and join() escapes its items and separator', () => {
    // Act
    const style = html`<style>${raw('a>b{color:red}')}</style>`;
    const list = join(['<x>', html`<y>`], ' & ');

    // Assess
    expect(style.toString()).toBe('<style>a>b{color:red}</style>');
    expect(list.toString()).toBe('&#60;x&#62; &#38; <y>');
  });

  it('cannot be forged from a look-alike object', () => {
    // Prepare
    const forged = { toString: () => '<script>alert(1)</script>' } as unknown as string;

    // Act
    const out = html`<p>${forged}</p>`;

    // Assess
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.toString()).toBe('<p>&#60;script&#62;alert(1)&#60;/script&#62;</p>');
    expect(() => new SafeHtml('<script>', Symbol('SafeHtml'))).toThrow(TypeError);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters as numeric references and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      '&#60;a href=&#34;x&#34;&#62;Tom &#38; Jerry&#39;s&#60;/a&#62;',
    );
    expect(escapeHtml('Zoë → 100%')).toBe('Zoë → 100%');
  });
});
