import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('risk_decided_intents')
    .addColumn('venue', 'text', (c) => c.notNull())
    .addColumn('intent_id', 'text', (c) => c.notNull())
    .addColumn('decided', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'int8', (c) => c.notNull())
    .addPrimaryKeyConstraint('risk_decided_intents_pk', ['venue', 'intent_id'])
    .execute();
  await db.schema
    .createIndex('risk_decided_intents_expiry')
    .on('risk_decided_intents')
    .columns(['venue', 'expires_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('risk_decided_intents').execute();
}
