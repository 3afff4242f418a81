import { describe, expect, it } from 'vitest';
import { toSqlitePlaceholders } from '../../service/store/sqlite-placeholders.js';

describe('toSqlitePlaceholders', () => {
  it.each([
    ['SELECT 1', 'SELECT 1'],
    ['SELECT $1, $2, $1', 'SELECT ?1, ?2, ?1'],
    ['VALUES ($10, $2)', 'VALUES (?10, ?2)'],
    ["SELECT '$1', 'it''s $2', $3", "SELECT '$1', 'it''s $2', ?3"],
    ['SELECT "col$1", $1', 'SELECT "col$1", ?1'],
    ['SELECT $1 -- $2\nFROM t WHERE a = $3', 'SELECT ?1 -- $2\nFROM t WHERE a = ?3'],
    ['SELECT /* $1 */ $2', 'SELECT /* $1 */ ?2'],
    ['SELECT $$body$$, $x', 'SELECT $$body$$, $x'],
  ])('%j → %j', (input, expected) => {
    expect(toSqlitePlaceholders(input)).toBe(expected);
  });
});
