// A child process for the concurrent-upgrade test: upgrades the database at argv[2] and prints the result.
import { upgradeDatabase } from '../upgrade-database.js';

const uri = process.argv[2];
if (uri === undefined) throw new Error('usage: sql-upgrader.ts <uri>');
const result = await upgradeDatabase(uri);
process.stdout.write(`${JSON.stringify(result)}\n`);
