// TypeScript declarations for the Goldmine SDK (goldmine.js), protocol v1.
// Checked against an example by `tsc --noEmit` in go test ./static.

export as namespace Goldmine;

export declare const VERSION: string;
export declare const DEFAULTS: RoomOptions;

/** A cell: null not dug, -1 dug gold, 0..8 a dug number. */
export type Cell = null | number;

export interface Rules {
  preset: string; rows: number; cols: number; gold: number; max_players: number;
  turn_seconds: number; extra_turn_on_gold: boolean; end_when_decided: boolean;
}

export interface PlayerInfo {
  seat: number; player_id: string; name: string; score: number; connected: boolean;
  bot: boolean; bot_level?: string; left: boolean; rematch: boolean;
}

export interface Standing { seat: number; player_id: string; name: string; score: number; rank: number; forfeited: boolean; }

export interface Result {
  game_id: number; reason: "all_gold" | "decided" | "forfeit" | "closed"; scores: number[];
  ranking: Standing[]; winners: number[]; board: number[][]; layout: string; salt: string; commitment: string;
}

export interface ChatLine { seq: number; seat: number | null; name: string; text: string; }

/** The room snapshot of protocol v1, kept current by the SDK. */
export interface Snapshot {
  id: string; name: string; status: "waiting" | "playing" | "finished" | "closed"; seq: number; rules: Rules;
  players: PlayerInfo[]; spectators: number; turn: number | null; deadline: number | null; gold_left: number;
  commitment: string | null; board: Cell[][];
  private: boolean; created_at: string; created_by: string; game: number;
  gold_found: { row: number; col: number; seat: number }[]; result: Result | null; bot_substitute: string;
  chat?: ChatLine[]; node?: string; ws_url?: string;
}

export interface RoomSummary {
  id: string; name: string; status: "waiting" | "playing" | "finished"; rules: Rules; players: number;
  max_players: number; spectators: number; created_at: string; seq: number; game: number; connected: number;
  ws_url?: string; node?: string;
}

export interface You { player_id: string; name: string; seat: number | null; role: "player" | "spectator"; }

export interface NewPlayer { player_id: string; name: string; token: string; }

export interface Profile { player_id: string; name: string; games: number; wins: number; gold: number; bot?: boolean; created_at?: string; }

export interface LeaderboardEntry { rank: number; player_id: string; name: string; wins: number; games: number; gold: number; }

export interface GameSummary {
  id: number; room_id: string; game: number; rules: Rules; ended_reason: string; started_at: string; ended_at: string;
  players: { seat: number; player_id: string; name: string; score: number; rank: number; winner: boolean; forfeited: boolean; bot: boolean }[];
}

export interface GamePage { games: GameSummary[]; next_before: number | null; }

export interface Preset extends Rules {}

export interface CreateRoomOptions {
  name?: string; preset?: string; rows?: number; cols?: number; gold?: number; max_players?: number;
  turn_seconds?: number; extra_turn_on_gold?: boolean; end_when_decided?: boolean; private?: boolean;
  bot_substitute?: "easy" | "normal" | "hard";
}

export interface ListRoomsOptions { status?: "waiting" | "playing" | "finished"; limit?: number; occupied?: boolean; }

export interface RoomOptions {
  as?: "player" | "spectator";
  reconnect?: boolean; maxAttempts?: number; backoffBase?: number; backoffMax?: number;
  heartbeat?: number; heartbeatTimeout?: number; queueLimit?: number; digTimeout?: number; locate?: boolean;
}

export interface ClientOptions extends RoomOptions {
  baseURL?: string;
  token?: string | null;
  request?: (req: { method: string; url: string; headers: Record<string, string>; body?: unknown }) => Promise<{ status: number; body: any }>;
  transport?: (url: string) => unknown;
  timers?: unknown;
  random?: () => number;
}

export interface GoldmineError extends Error { code: string; status?: number; }
export declare function GoldmineError(code: string, message?: string, extra?: object): GoldmineError;

export declare class Client {
  constructor(options?: ClientOptions);
  baseURL: string;
  token: string | null;
  /** The signed-in player, once createPlayer or loginWeChat resolved. */
  player: { player_id: string; name: string } | null;
  clustered: boolean;
  wsURL(): string;
  http(method: string, path: string, body?: unknown): Promise<any>;
  createPlayer(name: string): Promise<NewPlayer>;
  loginWeChat(code: string, name?: string): Promise<NewPlayer>;
  listRooms(opts?: ListRoomsOptions | "waiting" | "playing" | "finished"): Promise<RoomSummary[]>;
  getRoom(id: string): Promise<Snapshot>;
  createRoom(opts?: CreateRoomOptions): Promise<Snapshot>;
  addBot(roomID: string, level?: "easy" | "normal" | "hard"): Promise<{ player_id: string; name: string; bot: true; level: string }>;
  me(): Promise<Profile>;
  rename(name: string): Promise<{ player_id: string; name: string }>;
  getPlayer(id: string): Promise<Profile>;
  games(opts?: { player?: string; limit?: number; before?: number | null }): Promise<GamePage>;
  game(id: number | string): Promise<any>;
  presets(): Promise<Preset[]>;
  leaderboard(period?: "all" | "week"): Promise<LeaderboardEntry[]>;
  join(roomID: string, options?: RoomOptions): Room;
  /** Quick match (POST /api/match, long-polled): resolves with the joined Room once paired, with a person of
   * the player's rating or, after --match-bot-after, a bot of it. Aborting `signal` leaves the queue and rejects
   * with code "aborted"; leaving from another tab rejects with "cancelled". */
  quickMatch(opts?: QuickMatchOptions): Promise<Room & { match: MatchAnswer }>;
}

export interface QuickMatchOptions extends RoomOptions {
  preset?: string;
  signal?: { aborted: boolean; addEventListener(type: "abort", fn: () => void): void; removeEventListener?(type: "abort", fn: () => void): void };
  /** Each poll's wait in seconds, 0..30 (default 25). */
  wait_s?: number;
  onWaiting?: (waitedMS: number) => void;
}

/** POST /api/match's answer once matched. */
export interface MatchAnswer {
  status: "matched";
  room: Snapshot;
  players: { player_id: string; name: string; rating: number; bot?: boolean }[];
  bot: boolean;
  waited_ms: number;
}

/** The events of a Room, with their payloads. */
export interface RoomEvents {
  state: Snapshot;
  welcome: { type: "welcome"; you: You; room: Snapshot };
  reconnected: { type: "welcome"; you: You; room: Snapshot };
  snapshot: { type: "snapshot"; room: Snapshot };
  pong: { type: "pong"; t: unknown };
  spectators: { type: "spectators"; count: number };
  player_joined: any; player_left: any; presence: any; game_started: any; dug: any; turn_skipped: any;
  game_over: Result & { type: "game_over"; seq: number }; chat: ChatLine & { type: "chat" }; room_closed: any;
  rematch: any; room_reset: any; player_replaced: any;
  status: "idle" | "connecting" | "open" | "reconnecting" | "paused" | "closed";
  reconnecting: { attempt: number; delay: number };
  dropped: { code: number; reason: string };
  closed: { code: number; reason: string };
  gave_up: { attempts: number };
  heartbeat_lost: {};
  gap: { expected: number; got: number };
  seat_lost: GoldmineError;
  redirect: { node: string; ws_url: string };
  error: GoldmineError;
  transport_error: unknown;
}

export declare class Room {
  readonly id: string;
  state: Snapshot | null;
  you: You | null;
  status: RoomEvents["status"];
  /** The last chat lines, oldest first. */
  messages: ChatLine[];
  on<E extends keyof RoomEvents>(event: E, fn: (payload: RoomEvents[E]) => void): () => void;
  off<E extends keyof RoomEvents>(event: E, fn: (payload: RoomEvents[E]) => void): void;
  dig(row: number, col: number): Promise<any>;
  start(): Promise<Snapshot>;
  rematch(): void;
  chat(text: string): void;
  resync(): void;
  leave(): void;
  close(): void;
  onHide(): void;
  onShow(): void;
  backoff(attempt: number): number;
}

export declare function applyEvent(state: Snapshot, event: { type: string; seq: number; [k: string]: any }): void;
export declare function verifyFairness(result: { salt: string; layout: string; commitment: string }, sha256Hex?: (text: string) => string | Promise<string>): Promise<boolean>;
export declare const transports: { browser: (url: string) => unknown; wechat: (url: string) => unknown };
