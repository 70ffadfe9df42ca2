/**
 * How the hosted pages look for a tenant: a title and CSS custom properties that the one stylesheet
 * reads. A ThemeResolver (passed to createHostedPages) picks a tenant's theme; tenants without one get
 * the built-in default. No theme can add scripts, fonts or images.
 */
export interface Theme {
  /** The product name in the page title and header. */
  readonly title: string;
  /** CSS custom properties set on :root, e.g. `{ '--gh-accent': '#2f5fd0' }`. */
  readonly cssVariables: Readonly<Record<string, string>>;
}

export type ThemeResolver = (tenantId: string | undefined) => Theme | undefined;

export const defaultTheme: Theme = Object.freeze({
  title: 'Gatehouse',
  cssVariables: Object.freeze({
    '--gh-accent': '#2f5fd0',
    '--gh-accent-text': '#ffffff',
    '--gh-background': '#f4f5f7',
    '--gh-card': '#ffffff',
    '--gh-text': '#1d2330',
    '--gh-muted': '#5b6475',
    '--gh-error': '#b42318',
  }),
});

const variableName = /^--[a-z0-9-]{1,64}$/;
// Colours, lengths and font stacks; nothing that could close the rule or the <style> element.
const variableValue = /^[#\w\s.,%()+-]{1,200}$/;

/** The theme's `:root` rule; variables with an unsafe name or value are left out. */
export function themeRule(theme: Theme): string {
  const declarations = Object.entries(theme.cssVariables)
    .filter(([name, value]) => variableName.test(name) && variableValue.test(value))
    .map(([name, value]) => `${name}:${value}`);
  return `:root{${declarations.join(';')}}`;
}
