// Package room runs live rooms: the seats, the spectators, the game, the
// timers, the numbered event log and reconnection.
//
// Each Room has one mutex that serialises every change to it. A change is
// validated, made durable through the Store, and only then announced to the
// room's members, numbered by seq. The package knows nothing of HTTP,
// WebSockets or SQL: members are reached through the Conn interface and
// persistence goes through the Store interface, both declared here.
package room
