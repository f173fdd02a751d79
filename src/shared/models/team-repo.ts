import type { Db } from "../db/index.js";
import { dbCall } from "../db/index.js";
import { newTeamId } from "../id/index.js";

/** Team owns sandboxes and API keys; every API request acts for exactly one team. */
export interface Team {
  id: string;
  name: string;
  createdAt: Date;
}

interface TeamRow {
  id: string;
  name: string;
  created_at: Date;
}

const toTeam = (r: TeamRow): Team => ({ id: r.id, name: r.name, createdAt: r.created_at });

/** createTeam inserts a team (a fresh tm-… id unless one is given); an existing id is a conflict. */
export function createTeam(sql: Db, t: { name: string; id?: string }): Promise<Team> {
  return dbCall(async () => {
    const [row] = await sql<TeamRow[]>`
      INSERT INTO teams (id, name) VALUES (${t.id ?? newTeamId()}, ${t.name}) RETURNING *`;
    if (!row) throw new Error("INSERT … RETURNING gave no row");
    return toTeam(row);
  });
}

/** ensureTeam creates the team with a fixed id if it is missing (bootstrap), and returns it either way. */
export function ensureTeam(sql: Db, t: { id: string; name: string }): Promise<Team> {
  return dbCall(async () => {
    await sql`INSERT INTO teams (id, name) VALUES (${t.id}, ${t.name}) ON CONFLICT (id) DO NOTHING`;
    const [row] = await sql<TeamRow[]>`SELECT * FROM teams WHERE id = ${t.id}`;
    if (!row) throw new Error(`team ${t.id} vanished after insert`);
    return toTeam(row);
  });
}

/** getTeam returns a team by id, or null. */
export function getTeam(sql: Db, id: string): Promise<Team | null> {
  return dbCall(async () => {
    const [row] = await sql<TeamRow[]>`SELECT * FROM teams WHERE id = ${id}`;
    return row ? toTeam(row) : null;
  });
}
