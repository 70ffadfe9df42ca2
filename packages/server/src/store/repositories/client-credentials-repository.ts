import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { EntityJwtConfiguration } from './entity-type-repository.ts';
import { toTenant, type Tenant } from './tenant-repository.ts';

/** An entity as an OAuth client: what authenticating it and signing its tokens needs, and its tenant. */
export interface EntityClient {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The client secret, sealed for entities/<id>/client_secret_sealed. */
  readonly clientSecretSealed: Buffer;
  /** Its type's JWT settings (TTL and signing key when enabled). */
  readonly jwtConfiguration: EntityJwtConfiguration;
  readonly tenant: Tenant;
}

/** A target a client credentials request names: where it lives and what the client holds on it. */
export interface ClientCredentialsTarget {
  readonly id: string;
  readonly tenantId: string;
  /** The permissions of the client's grant on the target; undefined when it holds none. */
  readonly permissions: readonly string[] | undefined;
}

interface TargetJson {
  readonly id: string;
  readonly tenant_id: string;
  readonly permissions: string[] | null;
}

/**
 * The reads of the client credentials grant and of the introspection of its tokens, each one statement:
 * the token endpoint is a throughput path, so the entity, its type, its tenant and the requested targets
 * with the client's grants on them come back in a single round trip instead of one query per row.
 */
export function createClientCredentialsRepository(db: Kysely<Database>) {
  return {
    /**
     * The entity with this client id (or id), its type's JWT settings and its tenant; with `targetIds`
     * (lower-case UUIDs), those of them that exist, each with the permissions this entity was granted.
     */
    async find(
      by: { readonly clientId: string } | { readonly id: string },
      targetIds: readonly string[] = [],
    ): Promise<{ readonly client: EntityClient; readonly targets: readonly ClientCredentialsTarget[] } | undefined> {
      const targets =
        targetIds.length === 0
          ? sql<TargetJson[]>`'[]'::jsonb`
          : sql<TargetJson[]>`coalesce((
              select jsonb_agg(jsonb_build_object('id', x.id, 'tenant_id', x.tenant_id, 'permissions', g.permissions))
              from entities x
              left join entity_grants g on g.target_entity_id = x.id and g.recipient_entity_id = e.id
              where x.id in (${sql.join(targetIds)})), '[]'::jsonb)`;
      const row = await db
        .selectFrom('entities as e')
        .innerJoin('entity_types as t', 't.id', 'e.entity_type_id')
        .innerJoin('tenants as n', 'n.id', 'e.tenant_id')
        .select([
          'e.id',
          'e.tenant_id',
          'e.client_id',
          'e.client_secret_sealed',
          't.jwt_configuration',
          'n.name as tenant_name',
          'n.data as tenant_data',
          'n.insert_instant as tenant_insert_instant',
          'n.last_update_instant as tenant_last_update_instant',
          targets.as('targets'),
        ])
        .where('clientId' in by ? 'e.client_id' : 'e.id', '=', 'clientId' in by ? by.clientId : by.id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const jwt = row.jwt_configuration as Partial<EntityJwtConfiguration>;
      return {
        client: {
          id: row.id,
          tenantId: row.tenant_id,
          clientId: row.client_id,
          clientSecretSealed: row.client_secret_sealed,
          jwtConfiguration: { ...jwt, enabled: jwt.enabled === true, accessTokenVerificationKeyIds: jwt.accessTokenVerificationKeyIds ?? [] },
          tenant: toTenant({ id: row.tenant_id, name: row.tenant_name, data: row.tenant_data, insert_instant: row.tenant_insert_instant, last_update_instant: row.tenant_last_update_instant }),
        },
        targets: row.targets.map((target) => ({ id: target.id, tenantId: target.tenant_id, permissions: target.permissions ?? undefined })),
      };
    },
  };
}

export type ClientCredentialsRepository = ReturnType<typeof createClientCredentialsRepository>;
