import { ApiError, type ApiErrorItem } from '../errors/api-error.ts';

/** The reason part of a FusionAuth field error code, per JSON-schema keyword. */
const reasonByKeyword: Record<string, string> = {
  required: 'blank',
  minLength: 'tooShort',
  maxLength: 'tooLong',
  minItems: 'tooShort',
  maxItems: 'tooLong',
  maxProperties: 'tooLong',
  minimum: 'tooSmall',
  maximum: 'tooLarge',
};

/** The part of an ajv error Gatehouse reads. */
export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

export function issueField(issue: SchemaIssue, root: string): string {
  const path = issue.instancePath.split('/').filter((part) => part !== '').join('.');
  const missing = issue.keyword === 'required' ? String(issue.params['missingProperty'] ?? '') : '';
  return [root, path, missing].filter((part) => part !== '').join('.') || 'request';
}

/** Schema failures as FusionAuth field errors: `[blank]user.email`, `[tooLong]apiKey.key`, `[invalid]...`. */
export function issuesToFieldErrors(issues: readonly SchemaIssue[], root: string): Record<string, ApiErrorItem[]> {
  const fieldErrors: Record<string, ApiErrorItem[]> = {};
  for (const issue of issues) {
    const field = issueField(issue, root);
    const reason = reasonByKeyword[issue.keyword] ?? 'invalid';
    const code = `[${reason}]${field}`;
    const items = (fieldErrors[field] ??= []);
    if (!items.some((item) => item.code === code)) items.push({ code, message: `${field} ${issue.message ?? 'is invalid'}.` });
  }
  return fieldErrors;
}

/** FusionAuth names array members without their index: `application.roles.name`, not `application.roles.0.name`. */
export function withoutIndices(error: ApiError): ApiError {
  const fieldErrors: Record<string, ApiErrorItem[]> = {};
  for (const [field, items] of Object.entries(error.fieldErrors)) {
    const collapsed = field.replace(/\.\d+(?=\.|$)/g, '');
    const list = (fieldErrors[collapsed] ??= []);
    for (const item of items) {
      const code = item.code.replace(field, collapsed);
      if (!list.some((known) => known.code === code)) list.push({ ...item, code });
    }
  }
  return new ApiError(error.status, fieldErrors, error.generalErrors);
}
