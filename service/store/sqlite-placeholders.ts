// Translates PostgreSQL placeholders (`$1`) into SQLite's numbered form (`?1`), which better-sqlite3
// binds from an object keyed by number. `?NNN` keeps reuse (`$1` twice) working as on PostgreSQL.

/** `sql` with every `$n` outside quotes and comments rewritten as `?n`. */
export function toSqlitePlaceholders(sql: string): string {
  if (!sql.includes('$')) return sql;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === "'" || ch === '"') {
      // A quoted string or identifier; a doubled quote inside it is an escaped quote.
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && next !== undefined && next >= '0' && next <= '9') {
      let j = i + 1;
      while (j < sql.length && sql[j] >= '0' && sql[j] <= '9') j++;
      out += '?' + sql.slice(i + 1, j);
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
