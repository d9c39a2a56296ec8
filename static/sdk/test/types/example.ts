// An example that tsc --noEmit checks against goldmine.d.ts: it must
// compile, and the lines marked @ts-expect-error must not.
import * as Goldmine from "../../goldmine";

async function play(): Promise<void> {
  const client = new Goldmine.Client({ baseURL: "http://localhost:8080", maxAttempts: 5 });
  const me = await client.createPlayer("Alice");
  const token: string = me.token;
  const snap = await client.createRoom({ preset: "classic", private: true });
  await client.addBot(snap.id, "hard");
  const room = client.join(snap.id, { as: "player" });
  room.on("state", (s) => { const left: number = s.gold_left; void left; });
  room.on("spectators", (f) => { const n: number = f.count; void n; });
  room.on("dropped", ({ code }) => { const c: number = code; void c; });
  room.on("closed", ({ code, reason }) => console.log(code, reason));
  const started: Goldmine.Snapshot = await room.start();
  void started;
  await room.dig(0, 0);
  const page = await client.games({ player: me.player_id, limit: 10 });
  const next: number | null = page.next_before;
  const profile = await client.getPlayer(me.player_id);
  const wins: number = profile.wins;
  const rooms = await client.listRooms({ occupied: true });
  const board = await client.leaderboard("week");
  const ok: boolean = await Goldmine.verifyFairness({ salt: "s", layout: "0", commitment: "c" });
  void [token, next, wins, rooms, board, ok];
  // @ts-expect-error: an event the SDK never emits
  room.on("started", () => {});
  // @ts-expect-error: a level that does not exist
  await client.addBot(snap.id, "impossible");
}
void play;
