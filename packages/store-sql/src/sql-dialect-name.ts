/** The SQL dialects the store speaks; MariaDB uses the `mysql` dialect. */
export type SqlDialectName = 'sqlite' | 'postgres' | 'mysql';
