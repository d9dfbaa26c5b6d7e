// Hang-up, as a terminal does it: every process of a session gets SIGHUP, and whatever is still there after a short
// grace gets SIGKILL. Each pod process is started as a session leader (setsid), so its session id is its pid and
// /proc tells us every descendant that did not deliberately start a session of its own.
import { readdirSync, readFileSync } from 'node:fs';

/** Session id of a process, or null when it is gone. */
function sessionOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state ppid pgrp session ... — comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return null; // a zombie is already dead, only waiting to be reaped
    return Number(fields[3]);
  } catch {
    return null;
  }
}

/** Live pids whose session id is `sid` (the leader included). */
export function sessionMembers(sid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (sessionOf(pid) === sid) members.push(pid);
  }
  return members;
}

export function isAlive(pid: number): boolean {
  return sessionOf(pid) !== null;
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGHUP to the whole session, SIGKILL to what is left after `graceMs`. Resolves once the session is empty. */
export async function hangUpSession(sid: number, graceMs: number): Promise<void> {
  signalAll(sessionMembers(sid), 'SIGHUP');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (sessionMembers(sid).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (let attempt = 0; attempt < 40; attempt++) {
    const left = sessionMembers(sid);
    if (left.length === 0) return;
    signalAll(left, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
