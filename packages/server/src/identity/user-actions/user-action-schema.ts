/**
 * FusionAuth's `userAction` object as Gatehouse stores it, each flag with FusionAuth's default. Unknown
 * fields (and `id`, `active`, the instants) are dropped. Email template ids are kept and returned but
 * never used: Gatehouse sends no email.
 */

const uuid = { type: 'string', format: 'uuid' } as const;
const flag = (fallback: boolean) => ({ type: 'boolean', default: fallback }) as const;
/** Locale → text, e.g. `{"de": "Gesperrt"}`. */
const localizedNames = {
  type: 'object',
  maxProperties: 100,
  propertyNames: { minLength: 1, maxLength: 35 },
  additionalProperties: { type: 'string', maxLength: 191 },
} as const;

export const userActionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 191 },
    preventLogin: flag(false),
    temporal: flag(false),
    sendEndEvent: flag(true),
    userEmailingEnabled: flag(false),
    userNotificationsEnabled: flag(false),
    includeEmailInEventJSON: flag(false),
    localizedNames,
    options: {
      type: 'array',
      maxItems: 100,
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', maxLength: 191 }, localizedNames },
      },
    },
    startEmailTemplateId: uuid,
    modifyEmailTemplateId: uuid,
    cancelEmailTemplateId: uuid,
    endEmailTemplateId: uuid,
  },
} as const;

export interface UserActionOption {
  readonly name: string;
  readonly localizedNames?: Readonly<Record<string, string>>;
}

/** What the `data` column holds: every setting but the name and the flags that have their own column. */
export interface UserActionSettings {
  readonly sendEndEvent: boolean;
  readonly userEmailingEnabled: boolean;
  readonly userNotificationsEnabled: boolean;
  readonly includeEmailInEventJSON: boolean;
  readonly localizedNames?: Readonly<Record<string, string>>;
  readonly options: readonly UserActionOption[];
  readonly startEmailTemplateId?: string;
  readonly modifyEmailTemplateId?: string;
  readonly cancelEmailTemplateId?: string;
  readonly endEmailTemplateId?: string;
}

export type UserActionInput = UserActionSettings & { readonly name: string; readonly preventLogin: boolean; readonly temporal: boolean };
