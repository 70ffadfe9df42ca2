/** One FusionAuth-style error: `code` is `[reason]field.path` for a field, `[Reason]` for a general one. */
export interface ApiErrorItem {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface ApiErrorBody {
  fieldErrors?: Record<string, ApiErrorItem[]>;
  generalErrors?: ApiErrorItem[];
}

/**
 * A management API error in FusionAuth's shape. A status with no items (401, 404) renders an empty body,
 * as FusionAuth does.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly fieldErrors: Record<string, ApiErrorItem[]>;
  readonly generalErrors: ApiErrorItem[];

  constructor(status: number, fieldErrors: Record<string, ApiErrorItem[]> = {}, generalErrors: ApiErrorItem[] = []) {
    const first = Object.values(fieldErrors)[0]?.[0] ?? generalErrors[0];
    super(first === undefined ? `API error ${status}` : `${first.code} ${first.message}`);
    this.status = status;
    this.fieldErrors = fieldErrors;
    this.generalErrors = generalErrors;
  }

  static field(field: string, reason: string, message: string, status = 400): ApiError {
    return new ApiError(status, { [field]: [{ code: `[${reason}]${field}`, message }] });
  }

  static general(code: string, message: string, status = 400): ApiError {
    return new ApiError(status, {}, [{ code: `[${code}]`, message }]);
  }

  static unauthorized(): ApiError {
    return new ApiError(401);
  }

  static notFound(): ApiError {
    return new ApiError(404);
  }
}

/** The body for an ApiError, or undefined when FusionAuth answers with an empty body. */
export function renderApiError(error: ApiError): ApiErrorBody | undefined {
  const body: ApiErrorBody = {};
  if (Object.keys(error.fieldErrors).length > 0) body.fieldErrors = error.fieldErrors;
  if (error.generalErrors.length > 0) body.generalErrors = error.generalErrors;
  return body.fieldErrors === undefined && body.generalErrors === undefined ? undefined : body;
}

/** Collects field errors across a request, then throws them together. */
export class FieldErrors {
  readonly #errors: Record<string, ApiErrorItem[]> = {};

  add(field: string, reason: string, message: string): this {
    (this.#errors[field] ??= []).push({ code: `[${reason}]${field}`, message });
    return this;
  }

  get empty(): boolean {
    return Object.keys(this.#errors).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ApiError(400, this.#errors);
  }
}
