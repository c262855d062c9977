import path from 'node:path';
import Database from 'better-sqlite3';

const db = new Database(path.join(process.cwd(), 'data', 'it-assets.db'));
db.pragma('journal_mode = WAL');

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
}

export function findUserByUsername(username: string): UserRow | undefined {
  return db.prepare('SELECT id, username, password_hash FROM users WHERE username = ?').get(username) as
    | UserRow
    | undefined;
}

export default db;
