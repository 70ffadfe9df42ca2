import { randomUUID } from 'node:crypto';
import { KickstartError } from './kickstart-error.ts';

export interface VariableScope {
  readonly variables: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** `#{name}`, `#{ENV.NAME}` and `#{UUID()}`; `\#{` stands for a literal `#{`. */
const reference = /(\\?)#\{([^}]*)\}/g;

export function substituteVariables(text: string, scope: VariableScope, where: string): string {
  return text.replace(reference, (_match, escaped: string, name: string) => {
    if (escaped !== '') return `#{${name}}`;
    if (name === 'UUID()') return randomUUID();
    if (name.startsWith('ENV.')) {
      const value = scope.env[name.slice(4)];
      if (value === undefined) throw new KickstartError(`${where} uses #{${name}} but the environment variable ${name.slice(4)} is not set`);
      return value;
    }
    const value = scope.variables[name];
    if (value === undefined) throw new KickstartError(`${where} uses the undefined variable #{${name}}`);
    return value;
  });
}
